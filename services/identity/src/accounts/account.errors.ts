import { defineErrors, type ErrorTable } from '@crm/errors';

/** The errors the decisions on a staff account throw (shared: most of them need the account to exist). */
export const ACCOUNT_ERRORS = {
  USER_NOT_FOUND: { kind: 'not_found', retriable: false },
  USER_ALREADY_REGISTERED: { kind: 'conflict', retriable: false },
  MFA_ALREADY_ENROLLED: { kind: 'conflict', retriable: false },
  ROLE_SELF_GRANT: { kind: 'forbidden', retriable: false },
  ACCOUNT_SELF_DISABLE: { kind: 'forbidden', retriable: false },
  ACCOUNT_SELF_DELETE: { kind: 'forbidden', retriable: false },
  PASSWORD_SELF_RESET: { kind: 'forbidden', retriable: false },
  PASSWORD_RESET_EXCEEDS_PERMISSIONS: { kind: 'forbidden', retriable: false },
  MFA_SELF_RESET: { kind: 'forbidden', retriable: false },
  MFA_RESET_EXCEEDS_PERMISSIONS: { kind: 'forbidden', retriable: false },
  ACCOUNT_DELETE_EXCEEDS_PERMISSIONS: { kind: 'forbidden', retriable: false },
  ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS: { kind: 'forbidden', retriable: false },
} as const satisfies ErrorTable;
export const accountError = defineErrors(ACCOUNT_ERRORS);
