import type { RoleCatalogue } from '@crm/auth';
import type { Decider } from '@crm/eventstore';
import { decideAssignRoles } from './assign-roles/assign-roles.decision.js';
import { decideChangePassword } from './change-password/change-password.decision.js';
import { decideConfirmMfaEnrolment } from './confirm-mfa-enrolment/confirm-mfa-enrolment.decision.js';
import { decideDeleteAccount } from './delete-account/delete-account.decision.js';
import { decideDisableAccount, decideEnableAccount } from './disable-account/disable-account.decision.js';
import { decideRegisterAccount } from './register-account/register-account.decision.js';
import { decideResetMfa } from './reset-mfa/reset-mfa.decision.js';
import { decideResetPassword } from './reset-password/reset-password.decision.js';

/**
 * A staff account as an aggregate. Staff are data subjects too: every change to an account is decided on a known
 * version of its stream and recorded as an event, and the account row is the state those events leave.
 *
 * Credential material (password hashes, recovery-code hashes) rides on the commands for the state rows only; it is
 * never part of an event.
 */
export type AccountCommand =
  | { type: 'RegisterAccount'; userId: string; email: string; displayName: string; roles: string[]; passwordHash: string }
  | { type: 'AssignRoles'; userId: string; roles: string[]; grantedBy: string }
  | { type: 'ChangePassword'; userId: string; passwordHash: string; passwordHistory: string[] }
  | {
      type: 'ResetPassword';
      userId: string;
      resetBy: string;
      /** The resetting administrator's permissions (their token's) and the role catalogue the account's roles are read in. */
      resetterPermissions: readonly string[];
      roleCatalogue: RoleCatalogue;
      passwordHash: string;
      passwordHistory: string[];
    }
  | { type: 'ConfirmMfaEnrolment'; userId: string; recoveryCodeHashes: string[] }
  | {
      type: 'ResetMfa';
      userId: string;
      resetBy: string;
      /** As for ResetPassword: the account must hold no permission the resetter lacks. */
      resetterPermissions: readonly string[];
      roleCatalogue: RoleCatalogue;
    }
  | { type: 'DisableAccount'; userId: string; disabledBy: string }
  | { type: 'EnableAccount'; userId: string }
  | { type: 'DeleteAccount'; userId: string; deletedBy: string; deleterPermissions: readonly string[]; roleCatalogue: RoleCatalogue };

export type AccountEvent =
  | { type: 'UserRegistered'; userId: string; email: string; displayName: string; roles: string[]; passwordChangeRequired: boolean }
  | { type: 'RolesAssigned'; userId: string; roles: string[] }
  | { type: 'PasswordChanged'; userId: string }
  | { type: 'PasswordReset'; userId: string }
  | { type: 'MfaEnrolled'; userId: string }
  | { type: 'MfaReset'; userId: string }
  | { type: 'UserDisabled'; userId: string }
  | { type: 'UserEnabled'; userId: string }
  | { type: 'UserDeleted'; userId: string };

export interface AccountState {
  /** `disabled`: it exists but cannot sign in or refresh. */
  status: 'absent' | 'active' | 'disabled';
  roles: string[];
  mfaEnrolled: boolean;
  /**
   * The password was set by someone else (an administrator at registration or by a reset, the first start): no session
   * until its holder changes it.
   */
  passwordChangeRequired: boolean;
}

/** The aggregate: each command is decided by its use case's decision (`<use-case>/<use-case>.decision.ts`). */
export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: () => ({ status: 'absent', roles: [], mfaEnrolled: false, passwordChangeRequired: false }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterAccount':
        return decideRegisterAccount(command, state);
      case 'AssignRoles':
        return decideAssignRoles(command, state);
      case 'ChangePassword':
        return decideChangePassword(command, state);
      case 'ResetPassword':
        return decideResetPassword(command, state);
      case 'ConfirmMfaEnrolment':
        return decideConfirmMfaEnrolment(command, state);
      case 'ResetMfa':
        return decideResetMfa(command, state);
      case 'DisableAccount':
        return decideDisableAccount(command, state);
      case 'EnableAccount':
        return decideEnableAccount(command, state);
      case 'DeleteAccount':
        return decideDeleteAccount(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'active', roles: event.roles, mfaEnrolled: false, passwordChangeRequired: event.passwordChangeRequired };
      case 'RolesAssigned':
        return { ...state, roles: event.roles };
      case 'PasswordChanged':
        return { ...state, passwordChangeRequired: false };
      case 'PasswordReset':
        return { ...state, passwordChangeRequired: true };
      case 'MfaEnrolled':
        return { ...state, mfaEnrolled: true };
      case 'MfaReset':
        return { ...state, mfaEnrolled: false };
      case 'UserDisabled':
        return { ...state, status: 'disabled' };
      case 'UserEnabled':
        return { ...state, status: 'active' };
      case 'UserDeleted':
        return { status: 'absent', roles: [], mfaEnrolled: false, passwordChangeRequired: false };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
