export { DEFAULT_PASSWORD_POLICY, definePasswordPolicy, loadPasswordPolicy, passwordPolicySchema, type PasswordPolicy } from './password-policy.config.js';
export { PASSWORD_VIOLATION_CODES, type PasswordViolation, type PasswordViolationCode } from './password-violation.model.js';
export { MIN_CONTEXT_TOKEN_LENGTH, birthDateForms, type PasswordContext } from './personal-data.rules.js';
export { MAX_DECORATION_LENGTH, type CommonPasswordMatch } from './common-passwords.blocklist.js';
export {
  checkPassword,
  checkPasswordHistory,
  checkNewPassword,
  isPasswordExpired,
  type PasswordHistory,
  type PasswordVerifier,
} from './password-policy.check.js';
export { passwordPolicyError } from './password-policy.error.js';
