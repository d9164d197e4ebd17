import { actorId, contactId, givenHistoryOf, later, marketingGiven, marketingWithdrawn, noticeHash } from '../../testing/consent-history.fixture.js';
import type { WithdrawConsent } from '../consent.decider.js';
import { decideWithdrawConsent } from './withdraw-consent.decision.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const given = givenHistoryOf(decideWithdrawConsent);
const withdraw = (purpose: string): WithdrawConsent => ({ type: 'WithdrawConsent', contactId, purpose, actorId, at: later });

describe('WithdrawConsent', () => {
  it('given consent in force, when withdrawn, then ConsentWithdrawn, and the state keeps the consent it ends', () => {
    expect(given(marketingGiven).when(withdraw('marketing'))).toEqual([marketingWithdrawn]);
    expect(givenHistoryOf(decideWithdrawConsent)(marketingGiven, marketingWithdrawn).state.consents.marketing).toEqual({
      status: 'withdrawn',
      catalogueVersion: PURPOSE_CATALOGUE_VERSION,
      noticeVersion: 'en-1',
      noticeContentSha256: noticeHash,
      channel: 'web-form',
      givenAt: marketingGiven.at,
      givenBy: actorId,
      withdrawnAt: later,
      withdrawnBy: actorId,
    });
  });

  it('given a channel, when withdrawn, then the withdrawal records it', () => {
    expect(given(marketingGiven).when({ ...withdraw('marketing'), channel: 'phone' })).toEqual([{ ...marketingWithdrawn, channel: 'phone' }]);
  });

  it('given no consent ever given, when withdrawn, then CONSENT_NOT_GIVEN (conflict)', () => {
    const error = given().refuses(withdraw('marketing'));
    expect([error.code, error.kind]).toEqual(['CONSENT_NOT_GIVEN', 'conflict']);
  });

  it('given a consent withdrawn already, when withdrawn again, then CONSENT_NOT_GIVEN', () => {
    expect(given(marketingGiven, marketingWithdrawn).refuses(withdraw('marketing')).code).toBe('CONSENT_NOT_GIVEN');
  });

  it('given any state, when the purpose is unknown, then CONSENT_PURPOSE_UNKNOWN', () => {
    expect(given(marketingGiven).refuses(withdraw('gossip')).code).toBe('CONSENT_PURPOSE_UNKNOWN');
  });
});
