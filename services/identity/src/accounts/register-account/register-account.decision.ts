import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type RegisterAccountCommand = Extract<AccountCommand, { type: 'RegisterAccount' }>;

/** An account is registered once per id; the event carries who it is and its roles, never the password hash. */
export function decideRegisterAccount(command: RegisterAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status !== 'absent') throw accountError('USER_ALREADY_REGISTERED', 'an account with this id exists already');
  return [{ type: 'UserRegistered', userId: command.userId, email: command.email, displayName: command.displayName, roles: [...command.roles] }];
}
