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
