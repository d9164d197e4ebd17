import { AppError } from '@crm/errors';

/**
 * The stable codes of authentication and authorisation failures. Token failures share one code and one message
 * on purpose (RFC 6750 §3.1 `invalid_token`): telling a caller *which* check failed (signature, issuer, kid …)
 * helps an attacker tune forgeries and helps no honest client. `TOKEN_EXPIRED` is the one exception, because an
 * honest client reacts to it differently (it refreshes).
 */
export const AUTH_ERROR_CODES = [
  'UNAUTHENTICATED',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_REVOKED',
  'AUTH_UNAVAILABLE',
  'FORBIDDEN',
  'MFA_REQUIRED',
  'STEP_UP_REQUIRED',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export const authErrors = {
  unauthenticated: () => new AppError('UNAUTHENTICATED', 'unauthenticated', 'authentication required'),
  tokenInvalid: () => new AppError('TOKEN_INVALID', 'unauthenticated', 'invalid or expired token'),
  tokenExpired: () => new AppError('TOKEN_EXPIRED', 'unauthenticated', 'token expired'),
  tokenRevoked: () => new AppError('TOKEN_REVOKED', 'unauthenticated', 'the session of this token was revoked'),
  /** The key set or the revocation list could not be read: fail closed, but tell the client it may retry. */
  unavailable: () => new AppError('AUTH_UNAVAILABLE', 'unavailable', 'authentication is temporarily unavailable', { retriable: true }),
  forbidden: () => new AppError('FORBIDDEN', 'forbidden', 'not permitted'),
  mfaRequired: () => new AppError('MFA_REQUIRED', 'forbidden', 'this account must sign in with a second factor'),
  stepUpRequired: (maxAgeSeconds: number) =>
    new AppError('STEP_UP_REQUIRED', 'forbidden', 'confirm with a second factor to continue', { details: { maxAgeSeconds } }),
};
