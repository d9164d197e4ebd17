import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideConfirmMfaEnrolment, type ConfirmMfaEnrolmentCommand } from './confirm-mfa-enrolment.decision.js';
import { registered, userId } from '../account.fixtures.js';

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
