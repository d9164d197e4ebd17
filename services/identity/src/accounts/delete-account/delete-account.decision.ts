import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type DeleteAccountCommand = Extract<AccountCommand, { type: 'DeleteAccount' }>;

/**
 * An administrator deletes a staff account (a leaver whose data must go). Nobody deletes their own. The key is
 * shredded before this is decided (see the handler), so the event only states what already holds.
 */
export function decideDeleteAccount(command: DeleteAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  if (command.deletedBy === command.userId) throw accountError('ACCOUNT_SELF_DELETE', 'nobody deletes their own account');
  return [{ type: 'UserDeleted', userId: command.userId }];
}
