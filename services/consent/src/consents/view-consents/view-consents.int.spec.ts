import { consentApi } from '@crm/api-contract';
import type { SubjectShredder } from '@crm/crypto';
import { SUBJECT_SHREDDER } from '@crm/platform';
import { clock, evidence, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const consent = useConsentApp();
const { call, give } = consent;

describe('consent: the current state and the history', () => {
  it('answers the state per purpose and every change, oldest first, with its evidence, actor and time', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-08T08:00:00.000Z');
    await give(contactId, 'V1');
    clock.set('2026-12-08T09:00:00.000Z');
    await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, WRITER, {}, 'user-two');
    clock.set('2026-12-08T10:00:00.000Z');
    await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics' });

    const view = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect(view.status).toBe(200);
    // Exactly what the API contract documents (parsing drops what it does not state, so a missing field shows).
    expect(consentApi.viewConsents.response.parse(view.body)).toEqual(view.body);
    expect(view.body).toEqual({
      contactId,
      version: 3,
      consents: {
        marketing: {
          status: 'withdrawn',
          catalogueVersion: PURPOSE_CATALOGUE_VERSION,
          noticeVersion: consent.notice.version,
          noticeContentSha256: consent.notice.contentSha256,
          channel: 'web-form',
          givenAt: '2026-12-08T08:00:00.000Z',
          givenBy: consent.actor,
          withdrawnAt: '2026-12-08T09:00:00.000Z',
          withdrawnBy: 'user-two',
        },
      },
      objections: { analytics: { catalogueVersion: PURPOSE_CATALOGUE_VERSION, recordedAt: '2026-12-08T10:00:00.000Z', recordedBy: consent.actor } },
      history: [
        {
          version: 1,
          type: 'ConsentGiven',
          purpose: 'marketing',
          catalogueVersion: PURPOSE_CATALOGUE_VERSION,
          noticeVersion: consent.notice.version,
          noticeContentSha256: consent.notice.contentSha256,
          channel: 'web-form',
          evidence: evidence('V1'),
          actorId: consent.actor,
          at: '2026-12-08T08:00:00.000Z',
        },
        { version: 2, type: 'ConsentWithdrawn', purpose: 'marketing', actorId: 'user-two', at: '2026-12-08T09:00:00.000Z' },
        {
          version: 3,
          type: 'ObjectionRecorded',
          purpose: 'analytics',
          catalogueVersion: PURPOSE_CATALOGUE_VERSION,
          actorId: consent.actor,
          at: '2026-12-08T10:00:00.000Z',
        },
      ],
    });
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, [])).status).toBe(403);
    expect((await call('GET', '/v1/contacts/nope/consents', READER)).body.code).toBe('CONSENT_CONTACT_ID_INVALID');
  });

  it('once the contact is erased (its key shredded), the evidence is unreadable and nothing more is recorded', async () => {
    const contactId = await consent.knownContact();
    await give(contactId, 'Erased');
    await consent.app.get<SubjectShredder>(SUBJECT_SHREDDER).shredSubject(contactId, 'ERASURE_REQUEST');

    const view = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect([view.status, view.body.history.map((entry: { evidence?: unknown }) => entry.evidence)]).toEqual([200, [null]]);
    expect(view.text).not.toContain('Erased');

    for (const [path, body] of [
      [`/v1/contacts/${contactId}/consents`, { purpose: 'marketing', noticeVersion: consent.notice.version, channel: 'web-form', evidence: evidence('Again') }],
      [`/v1/contacts/${contactId}/consents/marketing/withdrawal`, {}],
      [`/v1/contacts/${contactId}/objections`, { purpose: 'analytics' }],
    ] as const) {
      const refused = await call('POST', path, WRITER, body);
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({ path, status: 410, code: 'CONSENT_CONTACT_ERASED' });
    }
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, READER)).body.version).toBe(1);
  });
});
