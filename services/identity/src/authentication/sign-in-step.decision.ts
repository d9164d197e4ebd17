/**
 * What a correct password leads to, in order: a one-time password past its life opens nothing (the holder needs a new
 * reset); a password someone else chose (or one past its maximum age) is changed first, and nothing else is given
 * until it is, so the authenticator enrolled next is bound to the holder of the changed password; then the second
 * factor, or its enrolment when the roles require one; only then a session.
 */
export type SignInStep = 'one-time-password-expired' | 'change-password' | 'second-factor' | 'enrol-second-factor' | 'session';

export interface SignInFacts {
  /** Set at registration: an administrator, or the first start, chose the password. */
  passwordChangeRequired: boolean;
  /** An administrator's reset set a one-time password, and it is older than `CRM_ONE_TIME_PASSWORD_TTL_SECONDS`. */
  oneTimePasswordExpired: boolean;
  /** Past `CRM_PASSWORD_MAX_AGE_DAYS` (off by default). */
  passwordExpired: boolean;
  mfaEnrolled: boolean;
  /** Whether the account's roles need a second factor (issue 15, item 2). */
  secondFactorRequired: boolean;
}

export function nextSignInStep(facts: SignInFacts): SignInStep {
  if (facts.oneTimePasswordExpired) return 'one-time-password-expired';
  if (facts.passwordChangeRequired || facts.passwordExpired) return 'change-password';
  if (facts.mfaEnrolled) return 'second-factor';
  if (facts.secondFactorRequired) return 'enrol-second-factor';
  return 'session';
}

/**
 * Whether a one-time password (an administrator's reset, ASVS 5.0 6.4.1) has outlived `ttlSeconds`, measured from
 * `issuedAt`, the time the reset was decided. `null`: the password is not a one-time one (the holder's own, or one
 * set at registration), so it does not expire this way. At exactly `issuedAt + ttlSeconds` it has expired.
 */
export function isOneTimePasswordExpired(issuedAt: Date | null, now: Date, ttlSeconds: number): boolean {
  return issuedAt !== null && now.getTime() - issuedAt.getTime() >= ttlSeconds * 1000;
}
