import { AppError } from '@crm/errors';

/**
 * Stable codes of second-factor failures. A wrong, malformed or expired code is one answer (`MFA_CODE_INVALID`):
 * telling them apart would only help someone guessing. A replayed code has its own code because the honest user
 * needs to hear "wait for the next code"; it tells an attacker nothing new, since the code was already spent.
 */
export function mfaCodeInvalidError(): AppError {
  return new AppError('MFA_CODE_INVALID', 'unauthenticated', 'the second-factor code is not valid');
}

export function mfaCodeReplayedError(): AppError {
  return new AppError('MFA_CODE_REPLAYED', 'unauthenticated', 'this code was already used; wait for the next one');
}

export function mfaRateLimitedError(retryAfterSeconds: number): AppError {
  return new AppError('MFA_RATE_LIMITED', 'rate_limited', 'too many second-factor attempts; try again later', {
    details: { retryAfterSeconds },
    retriable: true,
  });
}

/**
 * The second factor is hard-locked after too many failed codes in all (not per window): TOTP codes are refused, even
 * a correct one, until an administrator unlocks it or the user signs in with a recovery code.
 */
export function mfaLockedError(): AppError {
  return new AppError('MFA_LOCKED', 'forbidden', 'the second factor is locked after too many failed codes; use a recovery code or ask an administrator');
}
