import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type ConfirmMfaEnrolmentCommand = Extract<AccountCommand, { type: 'ConfirmMfaEnrolment' }>;

/**
 * One second factor per account: a confirmed enrolment is refused until an administrator resets it. The handler of
 * this command is the TOTP enrolment's (`mfa-enrolment/`); the decision is the account's.
 */
export function decideConfirmMfaEnrolment(command: ConfirmMfaEnrolmentCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  if (state.mfaEnrolled) throw accountError('MFA_ALREADY_ENROLLED', 'a second factor is enrolled already; an administrator can reset it');
  return [{ type: 'MfaEnrolled', userId: command.userId }];
}
