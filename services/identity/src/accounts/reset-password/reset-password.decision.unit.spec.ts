import { BUILT_IN_ROLES, PERMISSIONS, permissionsOfRoles } from '@crm/auth';
import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { registered, userId } from '../account.fixtures.js';
import { decideResetPassword, type ResetPasswordCommand } from './reset-password.decision.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';
const reset = (resetBy = admin, resetterPermissions: readonly string[] = PERMISSIONS): ResetPasswordCommand => ({
  type: 'ResetPassword',
  userId,
  resetBy,
  resetterPermissions,
  roleCatalogue: BUILT_IN_ROLES,
  passwordHash: 'h',
  passwordHistory: [],
});
const changedByOwner: AccountEvent = { type: 'PasswordChanged', userId };

describe("an administrator resets someone's password", () => {
  it('given an account whose holder chose their password, when an administrator resets it, then PasswordReset, and the password must be changed at the next sign-in', () => {
    const history: AccountEvent[] = [registered, changedByOwner];
    expect(fold(accountDecider, history).passwordChangeRequired).toBe(false);

    const events = decideResetPassword(reset(), fold(accountDecider, history));

    expect(events).toEqual([{ type: 'PasswordReset', userId }]);
    expect(fold(accountDecider, [...history, ...events]).passwordChangeRequired).toBe(true);
  });

  it('given a reset password, when its holder changes it, then the change is no longer required', () => {
    const history: AccountEvent[] = [registered, changedByOwner, { type: 'PasswordReset', userId }];

    const events = accountDecider.decide({ type: 'ChangePassword', userId, passwordHash: 'h2', passwordHistory: [] }, fold(accountDecider, history));

    expect(fold(accountDecider, [...history, ...events]).passwordChangeRequired).toBe(false);
  });

  it('given an account, when its holder resets their own password, then PASSWORD_SELF_RESET (forbidden)', () => {
    expect(() => decideResetPassword(reset(userId), fold(accountDecider, [registered, changedByOwner]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'PASSWORD_SELF_RESET', kind: 'forbidden' }),
    );
  });

  it('given a salesperson, when someone holding users:manage but not every sales permission resets it, then PASSWORD_RESET_EXCEEDS_PERMISSIONS (forbidden), naming what is missing', () => {
    const salesPermissions = permissionsOfRoles(['sales']);
    const resetter = ['users:manage', ...salesPermissions.filter((permission) => permission !== 'contacts:write')];

    expect(() => decideResetPassword(reset(admin, resetter), fold(accountDecider, [registered, changedByOwner]))).toThrow(
      expect.objectContaining({ code: 'PASSWORD_RESET_EXCEEDS_PERMISSIONS', kind: 'forbidden', details: { permissions: ['contacts:write'] } }),
    );
    expect(decideResetPassword(reset(admin, ['users:manage', ...salesPermissions]), fold(accountDecider, [registered, changedByOwner]))).toEqual([
      { type: 'PasswordReset', userId },
    ]);
  });

  it('given an administrator, when someone holding only users:manage resets it, then PASSWORD_RESET_EXCEEDS_PERMISSIONS: a reset grants no role', () => {
    const administrator = fold(accountDecider, [registered, changedByOwner, { type: 'RolesAssigned', userId, roles: ['administrator'] }]);

    expect(() => decideResetPassword(reset(admin, ['users:manage']), administrator)).toThrow(
      expect.objectContaining({ code: 'PASSWORD_RESET_EXCEEDS_PERMISSIONS' }),
    );
  });

  it('given a disabled account, when an administrator resets its password, then PasswordReset (it is ready when enabled again)', () => {
    const history: AccountEvent[] = [registered, changedByOwner, { type: 'UserDisabled', userId }];

    expect(decideResetPassword(reset(), fold(accountDecider, history))).toEqual([{ type: 'PasswordReset', userId }]);
  });

  it('given no account (never registered, or deleted), when its password is reset, then USER_NOT_FOUND', () => {
    expect(() => decideResetPassword(reset(), accountDecider.initialState())).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND', kind: 'not_found' }));
    const deleted = fold(accountDecider, [registered, { type: 'UserDeleted', userId }]);
    expect(() => decideResetPassword(reset(), deleted)).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
  });
});
