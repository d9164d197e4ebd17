// Second factor (docs/identity-security.md): TOTP (RFC 6238), recovery codes, replay guard and attempt limits.
export {
  hotp,
  totpAt,
  totpTimeStep,
  OTP_ALGORITHMS,
  DEFAULT_TOTP_PARAMETERS,
  MAX_OTP_COUNTER,
  type OtpAlgorithm,
  type OtpParameters,
  type TotpParameters,
} from './totp/otp.algorithm.js';
export { verifyTotp, MAX_TOTP_WINDOW, type TotpVerification, type TotpVerifyOptions } from './totp/totp.verification.js';
export { generateTotpSecret, systemRandomBytes, TOTP_SECRET_BYTES, type TotpSecret, type RandomBytes } from './totp/totp-secret.js';
export { encodeBase32, decodeBase32 } from './totp/base32.codec.js';
export { otpauthUri, type OtpauthUriInput } from './totp/otpauth.uri.js';
export { totpQrSvg } from './totp/totp.qr.js';
export { TotpReplayGuard, TOTP_USED_KEY_PREFIX, type TotpReplayGuardOptions } from './totp/totp-replay.guard.js';
export {
  MfaAttemptLimiter,
  DEFAULT_MFA_ATTEMPT_LIMITS,
  MFA_ATTEMPTS_KEY_PREFIX,
  MFA_FAILURES_KEY_PREFIX,
  type MfaAttemptKind,
  type MfaAttemptLimits,
  type MfaAttemptDecision,
} from './attempt-limiting/mfa-attempt.limiter.js';
export {
  generateRecoveryCodes,
  normaliseRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_BITS,
  DEFAULT_RECOVERY_CODE_COUNT,
} from './recovery-codes/recovery-code.generator.js';
export { hashRecoveryCode, matchRecoveryCode } from './recovery-codes/recovery-code.hashing.js';
export { mfaCodeInvalidError, mfaCodeReplayedError, mfaLockedError, mfaRateLimitedError } from './mfa.errors.js';
