import { isOneTimePasswordExpired, nextSignInStep, type SignInFacts } from './sign-in-step.decision.js';

const settled: SignInFacts = {
  oneTimePasswordExpired: false,
  passwordChangeRequired: false,
  passwordExpired: false,
  mfaEnrolled: false,
  secondFactorRequired: false,
};

describe('the step a correct password leads to', () => {
  it('given a password an administrator set, when it signs in, then it must be changed first: no session, no second factor yet', () => {
    expect(nextSignInStep({ ...settled, passwordChangeRequired: true })).toBe('change-password');
    expect(nextSignInStep({ ...settled, passwordChangeRequired: true, secondFactorRequired: true })).toBe('change-password');
    expect(nextSignInStep({ ...settled, passwordChangeRequired: true, mfaEnrolled: true })).toBe('change-password');
  });

  it('given an expired password, when it signs in, then it must be changed first', () => {
    expect(nextSignInStep({ ...settled, passwordExpired: true, mfaEnrolled: true })).toBe('change-password');
  });

  it('given a changed password and an enrolled authenticator, when it signs in, then the second factor follows', () => {
    expect(nextSignInStep({ ...settled, mfaEnrolled: true, secondFactorRequired: true })).toBe('second-factor');
  });

  it('given a changed password and roles that need a second factor, when it signs in, then enrolment follows', () => {
    expect(nextSignInStep({ ...settled, secondFactorRequired: true })).toBe('enrol-second-factor');
  });

  it('given a changed password and roles that need no second factor, when it signs in, then a session starts', () => {
    expect(nextSignInStep(settled)).toBe('session');
  });
});

describe('a one-time password from a reset expires (ASVS 5.0 6.4.1)', () => {
  const day = 24 * 60 * 60;
  const resetAt = new Date('2026-12-01T09:00:00Z');
  const after = (seconds: number) => new Date(resetAt.getTime() + seconds * 1000);

  it('given a one-time password within its life, when it signs in, then it leads to the forced change', () => {
    expect(isOneTimePasswordExpired(resetAt, after(day - 1), day)).toBe(false);
    expect(nextSignInStep({ ...settled, passwordChangeRequired: true, oneTimePasswordExpired: false })).toBe('change-password');
  });

  it('given a one-time password at or past its life, when it signs in, then it has expired and opens nothing, not even the change', () => {
    expect(isOneTimePasswordExpired(resetAt, after(day), day)).toBe(true);
    expect(isOneTimePasswordExpired(resetAt, after(30 * day), day)).toBe(true);
    expect(nextSignInStep({ ...settled, passwordChangeRequired: true, oneTimePasswordExpired: true, mfaEnrolled: true })).toBe('one-time-password-expired');
  });

  it('given a password that is not a one-time one (the holder’s own, or one set at registration), then it never expires this way', () => {
    expect(isOneTimePasswordExpired(null, after(365 * day), day)).toBe(false);
  });
});
