import { AppError } from '@crm/errors';
import type { PasswordViolation, PasswordViolationCode } from './password-violation.model.js';

/**
 * One error for a refused password: `details.violations` lists the codes, `details.parameters` the limits a form
 * needs to explain them (`{ PASSWORD_TOO_SHORT: { minLength: 8 } }`). Neither contains the password or the
 * personal data it was compared with, so the error can be returned and logged as it is.
 */
export function passwordPolicyError(violations: readonly PasswordViolation[]): AppError {
  const parameters: Partial<Record<PasswordViolationCode, Record<string, unknown>>> = {};
  for (const { code, details } of violations) if (Object.keys(details).length > 0) parameters[code] = details;
  return new AppError('PASSWORD_POLICY_VIOLATED', 'invalid', 'the password does not satisfy the password policy', {
    details: { violations: violations.map((entry) => entry.code), parameters },
  });
}
