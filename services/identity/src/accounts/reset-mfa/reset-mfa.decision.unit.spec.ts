import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideResetMfa } from './reset-mfa.decision.js';
import { registered, userId } from '../account.fixtures.js';

describe('resetting a second factor', () => {
  it('given an enrolled account, when its second factor is reset, then MfaReset, and the account is no longer enrolled', () => {
    const history: AccountEvent[] = [registered, { type: 'MfaEnrolled', userId }];

    const events = decideResetMfa({ type: 'ResetMfa', userId }, fold(accountDecider, history));

    expect(events).toEqual([{ type: 'MfaReset', userId }]);
    expect(fold(accountDecider, [...history, ...events]).mfaEnrolled).toBe(false);
  });
});
