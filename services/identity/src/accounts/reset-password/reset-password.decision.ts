import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { assertMayAdminister } from '../account-administration.rule.js';
import { accountError } from '../account.errors.js';

export type ResetPasswordCommand = Extract<AccountCommand, { type: 'ResetPassword' }>;

/**
 * An administrator sets a generated one-time password on someone else's account (a forgotten password, a suspected
 * compromise). The administrator knows that password, so, like a registration, it must be changed by its holder at
 * the next sign-in. Nobody resets their own password this way: they change it with their current one
 * (`POST /v1/me/password`), which proves they hold it. The new hash and history ride on the command for the
 * credentials row only; the event names the account alone. A disabled account may be reset (before it is enabled).
 *
 * Nor does a reset take over an account with more rights than the resetter's: whoever resets knows the new password,
 * so `users:manage` alone (with a second-factor reset) would otherwise make its holder an administrator, which only
 * a role grant may (`roles:manage`, issue 15 item 6). Every permission of the account's roles must be the resetter's
 * (the rule every account-administration action shares: `account-administration.rule.ts`).
 */
export function decideResetPassword(command: ResetPasswordCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  assertMayAdminister(
    { id: command.resetBy, permissions: command.resetterPermissions },
    { userId: command.userId, roles: state.roles },
    command.roleCatalogue,
    {
      self: 'PASSWORD_SELF_RESET',
      exceeds: 'PASSWORD_RESET_EXCEEDS_PERMISSIONS',
    },
  );
  return [{ type: 'PasswordReset', userId: command.userId }];
}
