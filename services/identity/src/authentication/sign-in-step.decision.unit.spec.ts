import { nextSignInStep, type SignInFacts } from './sign-in-step.decision.js';

const settled: SignInFacts = { passwordChangeRequired: false, passwordExpired: false, mfaEnrolled: false, secondFactorRequired: false };

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
