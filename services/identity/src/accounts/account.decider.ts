import { defineErrors, type ErrorTable } from '@crm/errors';
import type { Decider } from '@crm/eventstore';

/**
 * A staff account as an aggregate. Staff are data subjects too: every change to an account is decided on a known
 * version of its stream and recorded as an event, and the account row is the state those events leave.
 *
 * Credential material (password hashes, recovery-code hashes) rides on the commands for the state rows only; it is
 * never part of an event.
 */
export type AccountCommand =
  | { type: 'RegisterAccount'; userId: string; email: string; displayName: string; roles: string[]; passwordHash: string }
  | { type: 'AssignRoles'; userId: string; roles: string[] }
  | { type: 'ChangePassword'; userId: string; passwordHash: string; passwordHistory: string[] }
  | { type: 'ConfirmMfaEnrolment'; userId: string; recoveryCodeHashes: string[] }
  | { type: 'ResetMfa'; userId: string };

export type AccountEvent =
  | { type: 'UserRegistered'; userId: string; email: string; displayName: string; roles: string[] }
  | { type: 'RolesAssigned'; userId: string; roles: string[] }
  | { type: 'PasswordChanged'; userId: string }
  | { type: 'MfaEnrolled'; userId: string }
  | { type: 'MfaReset'; userId: string };

export interface AccountState {
  status: 'absent' | 'active';
  roles: string[];
  mfaEnrolled: boolean;
}

export const ACCOUNT_ERRORS = {
  USER_NOT_FOUND: { kind: 'not_found', retriable: false },
  USER_ALREADY_REGISTERED: { kind: 'conflict', retriable: false },
  MFA_ALREADY_ENROLLED: { kind: 'conflict', retriable: false },
} as const satisfies ErrorTable;
export const accountError = defineErrors(ACCOUNT_ERRORS);

export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: () => ({ status: 'absent', roles: [], mfaEnrolled: false }),

  decide(command, state) {
    if (command.type === 'RegisterAccount') {
      if (state.status === 'active') throw accountError('USER_ALREADY_REGISTERED', 'an account with this id exists already');
      return [{ type: 'UserRegistered', userId: command.userId, email: command.email, displayName: command.displayName, roles: [...command.roles] }];
    }
    if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
    switch (command.type) {
      case 'AssignRoles':
        return [{ type: 'RolesAssigned', userId: command.userId, roles: [...command.roles] }];
      case 'ChangePassword':
        return [{ type: 'PasswordChanged', userId: command.userId }];
      case 'ConfirmMfaEnrolment':
        if (state.mfaEnrolled) throw accountError('MFA_ALREADY_ENROLLED', 'a second factor is enrolled already; an administrator can reset it');
        return [{ type: 'MfaEnrolled', userId: command.userId }];
      case 'ResetMfa':
        return [{ type: 'MfaReset', userId: command.userId }];
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'active', roles: event.roles, mfaEnrolled: false };
      case 'RolesAssigned':
        return { ...state, roles: event.roles };
      case 'PasswordChanged':
        return state;
      case 'MfaEnrolled':
        return { ...state, mfaEnrolled: true };
      case 'MfaReset':
        return { ...state, mfaEnrolled: false };
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
