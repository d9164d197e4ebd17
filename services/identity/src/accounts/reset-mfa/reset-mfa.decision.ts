import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { assertMayAdminister } from '../account-administration.rule.js';
import { accountError } from '../account.errors.js';

export type ResetMfaCommand = Extract<AccountCommand, { type: 'ResetMfa' }>;

/**
 * An administrator's reset: the account must enrol a second factor again, with whoever signs in with its password. So
 * it has the password reset's ceiling (`account-administration.rule.ts`): never one's own (`/v1/me/mfa/…` changes
 * that, with the current factor), never an account holding a permission the resetter lacks; otherwise `users:manage`
 * and a phished password would take over an administrator.
 */
export function decideResetMfa(command: ResetMfaCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  assertMayAdminister(
    { id: command.resetBy, permissions: command.resetterPermissions },
    { userId: command.userId, roles: state.roles },
    command.roleCatalogue,
    {
      self: 'MFA_SELF_RESET',
      exceeds: 'MFA_RESET_EXCEEDS_PERMISSIONS',
    },
  );
  return [{ type: 'MfaReset', userId: command.userId }];
}
