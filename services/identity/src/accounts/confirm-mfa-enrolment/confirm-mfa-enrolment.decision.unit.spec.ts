import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideConfirmMfaEnrolment, type ConfirmMfaEnrolmentCommand } from './confirm-mfa-enrolment.decision.js';

const userId = '0190f3a4-1111-7000-8000-000000000001';
const registered: AccountEvent = {
  type: 'UserRegistered',
  userId,
  email: 'ada@example.com',
  displayName: 'Ada',
  roles: ['sales'],
  passwordChangeRequired: true,
};
const enrolled: AccountEvent = { type: 'MfaEnrolled', userId };
const confirm: ConfirmMfaEnrolmentCommand = { type: 'ConfirmMfaEnrolment', userId, recoveryCodeHashes: ['h'] };

describe('confirming a second-factor enrolment', () => {
  it('given an enrolled second factor, when enrolment is confirmed again, then MFA_ALREADY_ENROLLED; after a reset it may be enrolled again', () => {
    expect(() => decideConfirmMfaEnrolment(confirm, fold(accountDecider, [registered, enrolled]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'MFA_ALREADY_ENROLLED', kind: 'conflict' }),
    );
    expect(decideConfirmMfaEnrolment(confirm, fold(accountDecider, [registered, enrolled, { type: 'MfaReset', userId }]))).toEqual([enrolled]);
  });
});
