import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type ResetMfaCommand = Extract<AccountCommand, { type: 'ResetMfa' }>;

/** An administrator's reset: the account must enrol a second factor again. */
export function decideResetMfa(command: ResetMfaCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  return [{ type: 'MfaReset', userId: command.userId }];
}
