import { actorId, at, contactId, givenHistoryOf, noticeHash } from '../../testing/consent-history.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';
import type { ConfirmConsent, ConsentEvent } from '../consent.decider.js';
import { decideConfirmConsent } from './confirm-consent.decision.js';

const given = givenHistoryOf(decideConfirmConsent);
const token = 'e'.repeat(64);
const requested: ConsentEvent = {
  type: 'ConsentConfirmationRequested',
  contactId,
  purpose: 'marketing',
  catalogueVersion: PURPOSE_CATALOGUE_VERSION,
  noticeVersion: 'en-1',
  noticeContentSha256: noticeHash,
  channel: 'email',
  evidence: { kind: 'form', reference: 'newsletter-signup-7' },
  tokenSha256: token,
  expiresAt: '2026-12-04T09:00:00.000Z',
  actorId,
  at,
};
const confirm = (when: string, tokenSha256 = token): ConfirmConsent => ({ type: 'ConfirmConsent', contactId, tokenSha256, actorId: contactId, at: when });
const confirmedAt = '2026-12-02T12:00:00.000Z';

describe('ConfirmConsent (double opt-in)', () => {
  it('given a confirmation requested, when the person confirms before it expires, then ConsentGiven with double-opt-in evidence, the token hash, the notice it was asked against, by the person', () => {
    const events = given(requested).when(confirm(confirmedAt));
    expect(events).toEqual([
      {
        type: 'ConsentGiven',
        contactId,
        purpose: 'marketing',
        catalogueVersion: PURPOSE_CATALOGUE_VERSION,
        noticeVersion: 'en-1',
        noticeContentSha256: noticeHash,
        channel: 'email',
        evidence: { kind: 'double-opt-in', reference: expect.stringContaining(`confirmed ${confirmedAt}`) as string },
        confirmationTokenSha256: token,
        actorId: contactId,
        at: confirmedAt,
      },
    ]);
    const state = given(requested, ...events).state;
    expect(state.consents.marketing).toMatchObject({ status: 'given', givenAt: confirmedAt, givenBy: contactId, channel: 'email' });
    expect(state.confirmations?.[token]?.confirmedAt).toBe(confirmedAt);
  });

  it('given a confirmation used already, when the token is used again, then CONSENT_CONFIRMATION_USED (conflict)', () => {
    const [given1] = given(requested).when(confirm(confirmedAt));
    const error = given(requested, given1!).refuses(confirm('2026-12-02T12:05:00.000Z'));
    expect([error.code, error.kind]).toEqual(['CONSENT_CONFIRMATION_USED', 'conflict']);
  });

  it('given a confirmation requested, when the person confirms at or after its expiry, then CONSENT_CONFIRMATION_EXPIRED (gone)', () => {
    for (const when of ['2026-12-04T09:00:00.000Z', '2027-01-01T00:00:00.000Z']) {
      const error = given(requested).refuses(confirm(when));
      expect([error.code, error.kind]).toEqual(['CONSENT_CONFIRMATION_EXPIRED', 'gone']);
    }
  });

  it('given no such request, when a token is confirmed, then CONSENT_CONFIRMATION_UNKNOWN (not found), naming no token', () => {
    const error = given(requested).refuses(confirm(confirmedAt, 'f'.repeat(64)));
    expect([error.code, error.kind]).toEqual(['CONSENT_CONFIRMATION_UNKNOWN', 'not_found']);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('f'.repeat(16));
    expect(given().refuses(confirm(confirmedAt)).code).toBe('CONSENT_CONFIRMATION_UNKNOWN');
  });
});
