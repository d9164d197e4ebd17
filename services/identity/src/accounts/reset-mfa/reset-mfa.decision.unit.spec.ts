import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideResetMfa } from './reset-mfa.decision.js';

const userId = '0190f3a4-1111-7000-8000-000000000001';
const registered: AccountEvent = {
  type: 'UserRegistered',
  userId,
  email: 'ada@example.com',
  displayName: 'Ada',
  roles: ['sales'],
  passwordChangeRequired: true,
};

describe('resetting a second factor', () => {
  it('given an enrolled account, when its second factor is reset, then MfaReset, and the account is no longer enrolled', () => {
    const history: AccountEvent[] = [registered, { type: 'MfaEnrolled', userId }];

    const events = decideResetMfa({ type: 'ResetMfa', userId }, fold(accountDecider, history));

    expect(events).toEqual([{ type: 'MfaReset', userId }]);
    expect(fold(accountDecider, [...history, ...events]).mfaEnrolled).toBe(false);
  });
});
