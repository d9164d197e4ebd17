import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type ChangePasswordCommand = Extract<AccountCommand, { type: 'ChangePassword' }>;

/** The new hash and history ride on the command for the credentials row only; the event names the user alone. */
export function decideChangePassword(command: ChangePasswordCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  return [{ type: 'PasswordChanged', userId: command.userId }];
}
