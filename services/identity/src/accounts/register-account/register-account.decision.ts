import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type RegisterAccountCommand = Extract<AccountCommand, { type: 'RegisterAccount' }>;

/**
 * An account is registered once per id; the event carries who it is and its roles, never the password hash. Every
 * account is registered by someone other than its holder (an administrator, or the first start for the bootstrap
 * administrator), so its password is known to that someone: the holder must change it at the first sign-in.
 */
export function decideRegisterAccount(command: RegisterAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status !== 'absent') throw accountError('USER_ALREADY_REGISTERED', 'an account with this id exists already');
  return [
    {
      type: 'UserRegistered',
      userId: command.userId,
      email: command.email,
      displayName: command.displayName,
      roles: [...command.roles],
      passwordChangeRequired: true,
    },
  ];
}
