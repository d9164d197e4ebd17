/**
 * What a correct password leads to, in order: a password someone else chose (or one past its maximum age) is changed
 * first, and nothing else is given until it is, so the authenticator enrolled next is bound to the holder of the
 * changed password; then the second factor, or its enrolment when the roles require one; only then a session.
 */
export type SignInStep = 'change-password' | 'second-factor' | 'enrol-second-factor' | 'session';

export interface SignInFacts {
  /** Set at registration: an administrator, or the first start, chose the password. */
  passwordChangeRequired: boolean;
  /** Past `CRM_PASSWORD_MAX_AGE_DAYS` (off by default). */
  passwordExpired: boolean;
  mfaEnrolled: boolean;
  /** Whether the account's roles need a second factor (issue 15, item 2). */
  secondFactorRequired: boolean;
}

export function nextSignInStep(facts: SignInFacts): SignInStep {
  if (facts.passwordChangeRequired || facts.passwordExpired) return 'change-password';
  if (facts.mfaEnrolled) return 'second-factor';
  if (facts.secondFactorRequired) return 'enrol-second-factor';
  return 'session';
}
