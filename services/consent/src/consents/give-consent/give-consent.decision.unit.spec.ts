import { actorId, at, contactId, givenHistoryOf, later, marketingGiven, marketingWithdrawn } from '../../testing/consent-history.fixture.js';
import type { GiveConsent } from '../consent.decider.js';
import { decideGiveConsent } from './give-consent.decision.js';

const given = givenHistoryOf(decideGiveConsent);
const give = (purpose: string, when = at): GiveConsent => ({
  type: 'GiveConsent',
  contactId,
  purpose,
  noticeVersion: '2026-11',
  channel: 'web-form',
  evidence: { kind: 'form', reference: 'form-submission-42' },
  actorId,
  at: when,
});

describe('GiveConsent', () => {
  it('given no consent, when consent for marketing is given, then ConsentGiven records notice, channel, evidence, catalogue version, actor and time', () => {
    expect(given().when(give('marketing'))).toEqual([marketingGiven]);
  });

  it('given a withdrawn consent, when given again, then a new proof is recorded and it is in force', () => {
    const history = given(marketingGiven, marketingWithdrawn);
    const events = history.when(give('marketing', later));
    expect(events).toEqual([{ ...marketingGiven, at: later }]);
    expect(givenHistoryOf(decideGiveConsent)(marketingGiven, marketingWithdrawn, ...events).state.consents.marketing).toMatchObject({
      status: 'given',
      givenAt: later,
    });
  });

  it('given any state, when the purpose is unknown, then CONSENT_PURPOSE_UNKNOWN (invalid)', () => {
    const error = given().refuses(give('gossip'));
    expect([error.code, error.kind]).toEqual(['CONSENT_PURPOSE_UNKNOWN', 'invalid']);
  });

  it.each(['sales', 'customer-service', 'billing', 'analytics', 'access-control', 'data-subject-rights'])(
    'given any state, when consent is given for %s (not a consent-based purpose), then CONSENT_BASIS_NOT_CONSENT',
    (purpose) => {
      const error = given().refuses(give(purpose));
      expect([error.code, error.kind, error.details?.purpose]).toEqual(['CONSENT_BASIS_NOT_CONSENT', 'invalid', purpose]);
    },
  );

  it('never puts the evidence in a refusal', () => {
    const error = given().refuses({ ...give('sales'), evidence: { kind: 'other', reference: 'Zq9Marker' } });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('Zq9Marker');
  });
});
