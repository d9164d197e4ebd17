import { BUILT_IN_ROLES, PERMISSIONS, permissionsOfRoles } from '@crm/auth';
import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideResetMfa, type ResetMfaCommand } from './reset-mfa.decision.js';
import { registered, userId } from '../account.fixtures.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';
const reset = (resetBy = admin, resetterPermissions: readonly string[] = PERMISSIONS): ResetMfaCommand => ({
  type: 'ResetMfa',
  userId,
  resetBy,
  resetterPermissions,
  roleCatalogue: BUILT_IN_ROLES,
});
const enrolled: AccountEvent[] = [registered, { type: 'MfaEnrolled', userId }];

describe('resetting a second factor', () => {
  it('given an enrolled account, when its second factor is reset, then MfaReset, and the account is no longer enrolled', () => {
    const events = decideResetMfa(reset(), fold(accountDecider, enrolled));

    expect(events).toEqual([{ type: 'MfaReset', userId }]);
    expect(fold(accountDecider, [...enrolled, ...events]).mfaEnrolled).toBe(false);
  });

  it('given an enrolled account, when its holder resets their own second factor this way, then MFA_SELF_RESET (forbidden)', () => {
    expect(() => decideResetMfa(reset(userId), fold(accountDecider, enrolled))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'MFA_SELF_RESET', kind: 'forbidden' }),
    );
  });

  it('given a salesperson, when someone holding users:manage but not every sales permission resets it, then MFA_RESET_EXCEEDS_PERMISSIONS, naming what is missing', () => {
    const resetter = ['users:manage', ...permissionsOfRoles(['sales']).filter((permission) => permission !== 'contacts:write')];

    expect(() => decideResetMfa(reset(admin, resetter), fold(accountDecider, enrolled))).toThrow(
      expect.objectContaining({ code: 'MFA_RESET_EXCEEDS_PERMISSIONS', kind: 'forbidden', details: { permissions: ['contacts:write'] } }),
    );
  });

  it('given an administrator, when someone holding only users:manage resets its second factor, then MFA_RESET_EXCEEDS_PERMISSIONS: with a phished password it would be a takeover', () => {
    const administrator = fold(accountDecider, [...enrolled, { type: 'RolesAssigned', userId, roles: ['administrator'] }]);

    expect(() => decideResetMfa(reset(admin, ['users:manage']), administrator)).toThrow(expect.objectContaining({ code: 'MFA_RESET_EXCEEDS_PERMISSIONS' }));
  });

  it('given no account, when its second factor is reset, then USER_NOT_FOUND', () => {
    expect(() => decideResetMfa(reset(), accountDecider.initialState())).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
  });
});
