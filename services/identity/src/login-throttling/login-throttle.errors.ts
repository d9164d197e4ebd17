import { AppError } from '@crm/errors';
import type { LoginThrottleRefusal } from './login.throttle.js';

/**
 * The refusal, as the client sees it. Both codes are given for existing and unknown accounts alike (failures are
 * counted per e-mail key whether or not an account has it), so neither tells an attacker that an account exists.
 */
export function loginRefusedError(refusal: LoginThrottleRefusal): AppError {
  const details = { retryAfterSeconds: refusal.retryAfterSeconds };
  switch (refusal.reason) {
    case 'account_locked':
      return new AppError('LOGIN_LOCKED', 'rate_limited', 'too many failed sign-in attempts for this account; try again later', {
        details,
        retriable: true,
      });
    case 'account_hard_locked':
      return new AppError('LOGIN_HARD_LOCKED', 'forbidden', 'this account is locked after too many failed sign-in attempts; ask an administrator');
    case 'address_rate_limited':
      return new AppError('LOGIN_RATE_LIMITED', 'rate_limited', 'too many failed sign-in attempts; try again later', { details, retriable: true });
    default: {
      const _exhaustive: never = refusal.reason;
      return _exhaustive;
    }
  }
}

/**
 * The one answer for a wrong password *and* an unknown e-mail (and a disabled account): same code, same message,
 * same status, and — with `PasswordHasher.verifyAgainstDummy` — about the same time (ASVS 5.0 6.3.8).
 */
export function loginFailedError(): AppError {
  return new AppError('LOGIN_FAILED', 'unauthenticated', 'the e-mail address or the password is not correct');
}
