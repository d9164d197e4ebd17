import { BUILT_IN_ROLES, PERMISSIONS } from '@crm/auth';
import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideDeleteAccount, type DeleteAccountCommand } from './delete-account.decision.js';
import { registered, userId } from '../account.fixtures.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';
const deletion = (deletedBy = admin, deleterPermissions: readonly string[] = PERMISSIONS): DeleteAccountCommand => ({
  type: 'DeleteAccount',
  userId,
  deletedBy,
  deleterPermissions,
  roleCatalogue: BUILT_IN_ROLES,
});

describe('deleting a staff account', () => {
  it('given an account (active or disabled), when an administrator deletes it, then UserDeleted, and nothing of it is left in the state', () => {
    for (const history of [[registered], [registered, { type: 'UserDisabled', userId } as AccountEvent]]) {
      const events = decideDeleteAccount(deletion(), fold(accountDecider, history));

      expect(events).toEqual([{ type: 'UserDeleted', userId }]);
      expect(fold(accountDecider, [...history, ...events])).toEqual({ status: 'absent', roles: [], mfaEnrolled: false, passwordChangeRequired: false });
    }
  });

  it('given an account, when its holder deletes it themselves, then ACCOUNT_SELF_DELETE (forbidden)', () => {
    expect(() => decideDeleteAccount(deletion(userId), fold(accountDecider, [registered]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'ACCOUNT_SELF_DELETE', kind: 'forbidden' }),
    );
  });

  it('given an administrator, when someone holding only users:manage deletes it, then ACCOUNT_DELETE_EXCEEDS_PERMISSIONS: erasing an account is for whoever holds all it holds', () => {
    const administrator = fold(accountDecider, [registered, { type: 'RolesAssigned', userId, roles: ['administrator'] }]);

    expect(() => decideDeleteAccount(deletion(admin, ['users:manage']), administrator)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_DELETE_EXCEEDS_PERMISSIONS', kind: 'forbidden' }),
    );
  });

  it('given no account (or one deleted already), when deleted, then USER_NOT_FOUND', () => {
    const deleted = fold(accountDecider, [registered, { type: 'UserDeleted', userId }]);
    for (const state of [accountDecider.initialState(), deleted]) {
      expect(() => decideDeleteAccount(deletion(), state)).toThrow(expect.objectContaining({ code: 'USER_NOT_FOUND' }));
    }
  });
});
