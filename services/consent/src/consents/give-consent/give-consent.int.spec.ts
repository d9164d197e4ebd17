import type { EventStore } from '@crm/eventstore';
import { ConsentChannel, ConsentGivenSchema, decodePayload, LegalBasis } from '@crm/contracts';
import { EVENT_STORE } from '@crm/platform';
import { clock, evidence, noticeTexts, PUBLISHER, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const consent = useConsentApp();
const { call, give } = consent;

describe('consent: give', () => {
  it('records consent for marketing at the injected clock, by the caller, with the evidence sealed under the contact', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-03T10:15:00.000Z');
    const given = await give(contactId, 'Xq7Given');
    expect([given.status, given.body]).toEqual([
      201,
      {
        contactId,
        version: 1,
        purpose: 'marketing',
        consent: {
          status: 'given',
          catalogueVersion: PURPOSE_CATALOGUE_VERSION,
          noticeVersion: consent.notice.version,
          noticeContentSha256: consent.notice.contentSha256,
          channel: 'web-form',
          givenAt: '2026-12-03T10:15:00.000Z',
          givenBy: consent.actor,
        },
      },
    ]);
    expect(given.text).not.toContain('Xq7Given');

    const [event] = await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`);
    const envelope = event!.envelope;
    expect(envelope).toMatchObject({
      eventType: 'crm.consent.v1.ConsentGiven',
      subjectId: contactId,
      purpose: 'data-subject-rights',
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
    });
    expect(envelope.actor?.id).toBe(consent.actor);
    expect(envelope.keyId).not.toBe('');
    const payload = decodePayload(envelope, ConsentGivenSchema);
    expect([payload.purpose, payload.noticeVersion, payload.noticeContentSha256, payload.channel, payload.evidence?.keyId]).toEqual([
      'marketing',
      consent.notice.version,
      consent.notice.contentSha256,
      ConsentChannel.WEB_FORM,
      envelope.keyId,
    ]);
    // The evidence is ciphertext on the event: its plaintext appears nowhere in the stored bytes.
    expect(Buffer.from(event!.envelopeBytes).includes('Xq7Given')).toBe(false);
  });

  it('records a new proof when consent is given again, against another notice (its own hash)', async () => {
    const contactId = await consent.knownContact();
    await give(contactId, 'First');
    const polish = await consent.publishNotice('pl', 'Again');
    expect(polish.contentSha256).not.toBe(consent.notice.contentSha256);
    clock.set('2026-12-04T08:00:00.000Z');
    const again = await call('POST', `/v1/contacts/${contactId}/consents`, WRITER, {
      purpose: 'marketing',
      noticeVersion: polish.version,
      channel: 'phone',
      evidence: { kind: 'recording', reference: 'call-recording-1' },
    });
    expect([again.status, again.body.version, again.body.consent.noticeVersion, again.body.consent.noticeContentSha256, again.body.consent.givenAt]).toEqual([
      201,
      2,
      polish.version,
      polish.contentSha256,
      '2026-12-04T08:00:00.000Z',
    ]);
  });

  it('refuses bad input with a stable code, never echoes the evidence, and writes nothing', async () => {
    const contactId = await consent.knownContact();
    const secret = 'Zq9SecretMarker';
    const body = { purpose: 'marketing', noticeVersion: consent.notice.version, channel: 'web-form', evidence: evidence(secret) };
    const draft = await consent.callWithMfa('POST', '/v1/privacy-notices', PUBLISHER, 10, noticeTexts('en', 'Unpublished'));
    expect(draft.status).toBe(201);
    const cases = [
      [{ ...body, noticeVersion: 'en-999999' }, 400, 'CONSENT_NOTICE_UNKNOWN'],
      [{ ...body, noticeVersion: 'de-1' }, 400, 'CONSENT_NOTICE_UNKNOWN'],
      [{ ...body, noticeVersion: '2026-11' }, 400, 'CONSENT_NOTICE_UNKNOWN'],
      [{ ...body, noticeVersion: draft.body.version }, 400, 'CONSENT_NOTICE_NOT_PUBLISHED'],
      [{ ...body, purpose: 'gossip' }, 400, 'CONSENT_PURPOSE_UNKNOWN'],
      [{ ...body, purpose: 'sales' }, 400, 'CONSENT_BASIS_NOT_CONSENT'],
      [{ ...body, purpose: 'analytics' }, 400, 'CONSENT_BASIS_NOT_CONSENT'],
      [{ ...body, evidence: undefined }, 400, 'REQUEST_INVALID'],
      [{ ...body, evidence: { kind: 'rumour', reference: secret } }, 400, 'REQUEST_INVALID'],
      [{ ...body, evidence: { kind: 'form', reference: secret.repeat(40) } }, 400, 'REQUEST_INVALID'],
      [{ ...body, channel: 'pigeon' }, 400, 'REQUEST_INVALID'],
      [{ ...body, noticeVersion: `${secret} v1` }, 400, 'REQUEST_INVALID'],
      [{ ...body, note: secret }, 400, 'REQUEST_INVALID'],
    ] as const;
    for (const [input, status, code] of cases) {
      const response = await call('POST', `/v1/contacts/${contactId}/consents`, WRITER, input);
      expect({ input, status: response.status, code: response.body.code }).toEqual({ input, status, code });
      expect(response.text).not.toContain(secret);
    }
    const notAnId = await call('POST', '/v1/contacts/not-a-uuid/consents', WRITER, body);
    expect([notAnId.status, notAnId.body.code]).toEqual([400, 'CONSENT_CONTACT_ID_INVALID']);
    const readOnly = await call('POST', `/v1/contacts/${contactId}/consents`, READER, body);
    expect(readOnly.status).toBe(403);

    expect(await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`)).toEqual([]);
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, READER)).body).toEqual({
      contactId,
      version: 0,
      consents: {},
      objections: {},
      history: [],
    });
  });
});
