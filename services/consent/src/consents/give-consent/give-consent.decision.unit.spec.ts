import { actorId, at, contactId, givenHistoryOf, later, marketingGiven, marketingWithdrawn, noticeHash } from '../../testing/consent-history.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import type { GiveConsent } from '../consent.decider.js';
import { decideGiveConsent } from './give-consent.decision.js';

const given = givenHistoryOf(decideGiveConsent);
const give = (purpose: string, when = at): GiveConsent => ({
  type: 'GiveConsent',
  contactId,
  purpose,
  noticeVersion: 'en-1',
  notice: { status: 'published', contentSha256: noticeHash },
  channel: 'web-form',
  evidence: { kind: 'form', reference: 'form-submission-42' },
  confirmation: { tokenSha256: 'c'.repeat(64), ttlHours: 72 },
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

  it('given no consent, when given against an unknown notice version, then CONSENT_NOTICE_UNKNOWN (invalid), naming the version', () => {
    const error = given().refuses({ ...give('marketing'), noticeVersion: 'en-9', notice: { status: 'unknown' } });
    expect([error.code, error.kind, error.details?.noticeVersion]).toEqual(['CONSENT_NOTICE_UNKNOWN', 'invalid', 'en-9']);
  });

  it('given no consent, when given against a drafted but unpublished version, then CONSENT_NOTICE_NOT_PUBLISHED (invalid)', () => {
    const error = given().refuses({ ...give('marketing'), noticeVersion: 'en-2', notice: { status: 'draft' } });
    expect([error.code, error.kind]).toEqual(['CONSENT_NOTICE_NOT_PUBLISHED', 'invalid']);
  });

  it('records the hash of the notice it was given against, and the state keeps it', () => {
    const other = 'b'.repeat(64);
    const [event] = given().when({ ...give('marketing'), notice: { status: 'published', contentSha256: other } });
    expect(event).toMatchObject({ type: 'ConsentGiven', noticeVersion: 'en-1', noticeContentSha256: other });
    expect(given(event!).state.consents.marketing?.noticeContentSha256).toBe(other);
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

  it('given no consent, when consent for marketing is given by e-mail, then only a ConsentConfirmationRequested (double opt-in) with the token hash and its expiry, and nothing is in force', () => {
    const events = given().when({ ...give('marketing'), channel: 'email' });
    expect(events).toEqual([
      {
        type: 'ConsentConfirmationRequested',
        contactId,
        purpose: 'marketing',
        catalogueVersion: PURPOSE_CATALOGUE_VERSION,
        noticeVersion: 'en-1',
        noticeContentSha256: noticeHash,
        channel: 'email',
        evidence: { kind: 'form', reference: 'form-submission-42' },
        tokenSha256: 'c'.repeat(64),
        expiresAt: '2026-12-04T09:00:00.000Z',
        actorId,
        at,
      },
    ]);
    const state = given(...events).state;
    expect(state.consents.marketing).toBeUndefined();
    expect(state.confirmations?.['c'.repeat(64)]).toMatchObject({ purpose: 'marketing', expiresAt: '2026-12-04T09:00:00.000Z' });
    expect(state.confirmations?.['c'.repeat(64)]?.confirmedAt).toBeUndefined();
  });

  it('given a consent in force, when marketing is given again by e-mail, then it waits for confirmation too and the consent in force stays', () => {
    const history = given(marketingGiven);
    const events = history.when({ ...give('marketing', later), channel: 'email', confirmation: { tokenSha256: 'd'.repeat(64), ttlHours: 1 } });
    expect(events.map((event) => event.type)).toEqual(['ConsentConfirmationRequested']);
    expect(events[0]).toMatchObject({ expiresAt: '2026-12-02T10:00:00.000Z' });
    expect(given(marketingGiven, ...events).state.consents.marketing).toEqual(given(marketingGiven).state.consents.marketing);
  });

  it.each(['web-form', 'phone', 'sms', 'in-person', 'paper'] as const)(
    'given no consent, when marketing is given by %s, then it is in force at once (double opt-in is for e-mail)',
    (channel) => {
      expect(
        given()
          .when({ ...give('marketing'), channel })
          .map((event) => event.type),
      ).toEqual(['ConsentGiven']);
    },
  );

  it('never puts the evidence in a refusal', () => {
    const error = given().refuses({ ...give('sales'), evidence: { kind: 'other', reference: 'Zq9Marker' } });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('Zq9Marker');
  });
});
