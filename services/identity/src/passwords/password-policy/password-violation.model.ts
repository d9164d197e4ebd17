/**
 * Stable codes of the password rules (docs/identity-security.md). A frontend maps each to a message; the details
 * carry the rule's parameters only, never the password or the personal data it was compared with.
 */
export const PASSWORD_VIOLATION_CODES = [
  'PASSWORD_MALFORMED',
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_NEEDS_UPPERCASE',
  'PASSWORD_NEEDS_LOWERCASE',
  'PASSWORD_NEEDS_DIGIT',
  'PASSWORD_NEEDS_SPECIAL',
  'PASSWORD_CONTAINS_NAME',
  'PASSWORD_CONTAINS_EMAIL',
  'PASSWORD_CONTAINS_BIRTH_DATE',
  'PASSWORD_TOO_COMMON',
  'PASSWORD_REUSED',
] as const;

export type PasswordViolationCode = (typeof PASSWORD_VIOLATION_CODES)[number];

export interface PasswordViolation {
  code: PasswordViolationCode;
  /** The rule's parameters (`{ minLength: 8 }`), safe to show and to log. */
  details: Record<string, unknown>;
}

export function violation(code: PasswordViolationCode, details: Record<string, unknown> = {}): PasswordViolation {
  return { code, details };
}
