import { consentApi } from '@crm/api-contract';
import type { EventStore } from '@crm/eventstore';
import { ActorType, ConsentConfirmationRequestedSchema, ConsentGivenSchema, decodePayload } from '@crm/contracts';
import { EVENT_STORE } from '@crm/platform';
import { clock, evidence, newContactId, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { newConfirmationToken, tokenSha256 } from './confirmation-token.js';

const consent = useConsentApp();
const { call, anonymous } = consent;

const askByEmail = (contactId: string, marker: string) =>
  call('POST', `/v1/contacts/${contactId}/consents`, WRITER, {
    purpose: 'marketing',
    noticeVersion: consent.notice.version,
    channel: 'email',
    evidence: evidence(marker),
  });
const confirm = (token: string) => anonymous('POST', `/v1/consent-confirmations/${token}`);

describe('consent: double opt-in for e-mail marketing', () => {
  it('asks first (202, a token whose hash alone is recorded), gives consent only on the public confirmation, once', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-05T10:00:00.000Z');
    const asked = await askByEmail(contactId, 'Dq4Asked');
    expect([asked.status, asked.body.status, asked.body.version, asked.body.confirmation.expiresAt]).toEqual([
      202,
      'confirmation-requested',
      1,
      '2026-12-08T10:00:00.000Z',
    ]);
    expect(asked.headers.get('cache-control')).toBe('no-store');
    // Exactly what the API contract documents (parsing drops what it does not state, so a missing field shows).
    expect(consentApi.giveConsent.response.parse(asked.body)).toEqual(asked.body);
    const token = asked.body.confirmation.token as string;
    expect(asked.body.confirmation.confirmPath).toBe(`/v1/consent-confirmations/${token}`);
    expect(asked.text).not.toContain('Dq4Asked');

    // Nothing in force yet; the request is in the history, with its evidence.
    const pending = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect(pending.body.consents).toEqual({});
    expect(pending.body.history).toEqual([
      expect.objectContaining({
        version: 1,
        type: 'ConsentConfirmationRequested',
        purpose: 'marketing',
        evidence: evidence('Dq4Asked'),
        tokenSha256: tokenSha256(token),
      }),
    ]);

    const store = consent.app.get<EventStore>(EVENT_STORE);
    const [requested] = await store.readStream(`consent-${contactId}`);
    const payload = decodePayload(requested!.envelope, ConsentConfirmationRequestedSchema);
    expect([payload.tokenSha256, payload.evidence?.keyId]).toEqual([tokenSha256(token), requested!.envelope.keyId]);
    // Neither the token nor the evidence is stored in the clear.
    expect(Buffer.from(requested!.envelopeBytes).includes(token)).toBe(false);
    expect(Buffer.from(requested!.envelopeBytes).includes('Dq4Asked')).toBe(false);

    clock.set('2026-12-06T18:30:00.000Z');
    const confirmed = await confirm(token);
    expect([confirmed.status, confirmed.body]).toEqual([200, { purpose: 'marketing', status: 'given', givenAt: '2026-12-06T18:30:00.000Z' }]);
    expect(consentApi.confirmConsent.response.parse(confirmed.body)).toEqual(confirmed.body);
    expect(confirmed.text).not.toContain(contactId);

    const after = await call('GET', `/v1/contacts/${contactId}/consents`, READER);
    expect(after.body.consents.marketing).toMatchObject({ status: 'given', channel: 'email', givenAt: '2026-12-06T18:30:00.000Z', givenBy: contactId });
    expect(after.body.history[1]).toMatchObject({
      version: 2,
      type: 'ConsentGiven',
      evidence: { kind: 'double-opt-in', reference: expect.stringContaining('confirmed 2026-12-06T18:30:00.000Z') as string },
      confirmationTokenSha256: tokenSha256(token),
      actorId: contactId,
    });
    const [, given] = await store.readStream(`consent-${contactId}`);
    expect(given!.envelope.actor).toMatchObject({ id: contactId, type: ActorType.DATA_SUBJECT });
    expect(decodePayload(given!.envelope, ConsentGivenSchema).confirmationTokenSha256).toBe(tokenSha256(token));

    const again = await confirm(token);
    expect([again.status, again.body.code]).toEqual([409, 'CONSENT_CONFIRMATION_USED']);
    expect(await store.readStream(`consent-${contactId}`)).toHaveLength(2);
  });

  it('refuses an expired token (410) and writes nothing; a new request gives a new token', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-05T10:00:00.000Z');
    const asked = await askByEmail(contactId, 'Dq4Late');
    clock.set('2026-12-08T10:00:00.000Z');
    const late = await confirm(asked.body.confirmation.token as string);
    expect([late.status, late.body.code]).toEqual([410, 'CONSENT_CONFIRMATION_EXPIRED']);
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, READER)).body).toMatchObject({ version: 1, consents: {} });

    const anew = await askByEmail(contactId, 'Dq4Anew');
    expect(anew.body.confirmation.token).not.toBe(asked.body.confirmation.token);
    expect((await confirm(anew.body.confirmation.token as string)).status).toBe(200);
  });

  it('answers 404 CONSENT_CONFIRMATION_UNKNOWN for a malformed token, a token of an unknown contact and a forged token of a known one', async () => {
    const contactId = await consent.knownContact();
    await askByEmail(contactId, 'Dq4Forged');
    for (const token of ['nope', 'x'.repeat(64), newConfirmationToken(newContactId()).token, newConfirmationToken(contactId).token]) {
      const response = await confirm(token);
      expect({ token, status: response.status, code: response.body.code }).toEqual({ token, status: 404, code: 'CONSENT_CONFIRMATION_UNKNOWN' });
    }
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, READER)).body.version).toBe(1);
  });
});
