import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { assertMayAdminister } from '../account-administration.rule.js';
import { accountError } from '../account.errors.js';

export type DeleteAccountCommand = Extract<AccountCommand, { type: 'DeleteAccount' }>;

/**
 * An administrator deletes a staff account (a leaver whose data must go). Nobody deletes their own, nor an account
 * holding a permission they lack (`account-administration.rule.ts`: erasing an administrator is for whoever holds all
 * it holds). The key is shredded before this is decided (see the handler, which checks the same rule before it
 * shreds), so the event only states what already holds.
 */
export function decideDeleteAccount(command: DeleteAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  if (command.deletedBy === command.userId) throw accountError('ACCOUNT_SELF_DELETE', 'nobody deletes their own account');
  assertMayAdminister(
    { id: command.deletedBy, permissions: command.deleterPermissions },
    { userId: command.userId, roles: state.roles },
    command.roleCatalogue,
    {
      exceeds: 'ACCOUNT_DELETE_EXCEEDS_PERMISSIONS',
    },
  );
  return [{ type: 'UserDeleted', userId: command.userId }];
}
