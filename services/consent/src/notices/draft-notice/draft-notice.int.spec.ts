import type { EventStore } from '@crm/eventstore';
import { decodePayload, LegalBasis, PrivacyNoticeDraftedSchema } from '@crm/contracts';
import { EVENT_STORE } from '@crm/platform';
import { PURPOSES } from '../../purposes/purpose.catalogue.js';
import { clock, noticeTexts, PUBLISHER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const consent = useConsentApp();
const store = () => consent.app.get<EventStore>(EVENT_STORE);

describe('privacy notices: draft', () => {
  it('records a draft numbered in its language, with the texts and the catalogue purposes, on the language stream', async () => {
    clock.set('2026-12-02T09:00:00.000Z');
    const before = (await store().readStream('privacy-notice-pl')).length;
    const drafted = await consent.call('POST', '/v1/privacy-notices', PUBLISHER, noticeTexts('pl', 'Draft1'));
    expect(drafted.status).toBe(201);
    const { controller, rights } = noticeTexts('pl', 'Draft1');
    expect(drafted.body).toMatchObject({
      lang: 'pl',
      status: 'draft',
      controller,
      rights,
      catalogueVersion: PURPOSE_CATALOGUE_VERSION,
      draftedAt: '2026-12-02T09:00:00.000Z',
      draftedBy: consent.actor,
      publishedAt: null,
      contentSha256: null,
    });
    expect(drafted.body.version).toBe(`pl-${drafted.body.number}`);
    expect(drafted.body.purposes.map((purpose: { code: string }) => purpose.code)).toEqual(PURPOSES.map((purpose) => purpose.code));

    const events = await store().readStream('privacy-notice-pl');
    expect(events.length).toBe(before + 1);
    const envelope = events.at(-1)!.envelope;
    expect(envelope).toMatchObject({
      eventType: 'crm.consent.v1.PrivacyNoticeDrafted',
      subjectId: '',
      keyId: '',
      purpose: 'data-protection-oversight',
      legalBasis: LegalBasis.LEGAL_OBLIGATION,
    });
    expect(envelope.actor?.id).toBe(consent.actor);
    const payload = decodePayload(envelope, PrivacyNoticeDraftedSchema);
    expect([payload.noticeVersion, payload.lang, payload.number, payload.controller, payload.purposes.length]).toEqual([
      drafted.body.version,
      'pl',
      drafted.body.number,
      controller,
      PURPOSES.length,
    ]);
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    const before = (await store().readStream('privacy-notice-en')).length;
    const body = noticeTexts('en', 'Bad');
    const cases = [
      [{ ...body, lang: 'de' }, 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      [{ ...body, lang: 'PL' }, 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      [{ ...body, lang: undefined }, 400, 'REQUEST_INVALID'],
      [{ ...body, rights: '' }, 400, 'REQUEST_INVALID'],
      [{ ...body, controller: '   ' }, 400, 'REQUEST_INVALID'],
      [{ ...body, retention: 'x'.repeat(8001) }, 400, 'REQUEST_INVALID'],
      [{ ...body, dpoContact: 42 }, 400, 'REQUEST_INVALID'],
      // Purposes and bases come from the catalogue, never from the request.
      [{ ...body, purposes: [{ code: 'marketing', lawfulBases: ['legitimate-interests'] }] }, 400, 'REQUEST_INVALID'],
      ['not an object', 400, 'REQUEST_INVALID'],
    ] as const;
    for (const [input, status, code] of cases) {
      const response = await consent.call('POST', '/v1/privacy-notices', PUBLISHER, input);
      expect({ input, status: response.status, code: response.body?.code }).toEqual({ input, status, code });
    }
    expect((await consent.call('POST', '/v1/privacy-notices', WRITER, body)).status).toBe(403);
    expect((await consent.anonymous('POST', '/v1/privacy-notices')).status).toBe(401);
    expect((await store().readStream('privacy-notice-en')).length).toBe(before);
  });
});
