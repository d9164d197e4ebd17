import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type DisableAccountCommand = Extract<AccountCommand, { type: 'DisableAccount' }>;
export type EnableAccountCommand = Extract<AccountCommand, { type: 'EnableAccount' }>;

/**
 * An administrator disables a staff account (a leaver, a suspected compromise): it can no longer sign in or refresh.
 * Nobody disables their own account (the last administrator would lock everyone out). Disabling a disabled account
 * decides nothing, so a retry is harmless.
 */
export function decideDisableAccount(command: DisableAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  if (command.disabledBy === command.userId) throw accountError('ACCOUNT_SELF_DISABLE', 'nobody disables their own account');
  if (state.status === 'disabled') return [];
  return [{ type: 'UserDisabled', userId: command.userId }];
}

/** A disabled account enabled again, with its password and second factor as they were. Enabling an active one decides nothing. */
export function decideEnableAccount(command: EnableAccountCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  if (state.status === 'active') return [];
  return [{ type: 'UserEnabled', userId: command.userId }];
}
