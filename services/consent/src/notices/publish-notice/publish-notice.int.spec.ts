import { consentApi } from '@crm/api-contract';
import { fold, type EventStore } from '@crm/eventstore';
import { decodePayload, PrivacyNoticePublishedSchema } from '@crm/contracts';
import { EVENT_STORE } from '@crm/platform';
import { clock, noticeTexts, PUBLISHER, useConsentApp } from '../../testing/consent.fixture.js';
import { NoticeStates } from '../notice-states.repository.js';
import { noticeCodec } from '../notice.codec.js';
import { noticeDecider } from '../notice.decider.js';
import { noticeContentSha256 } from '../notice.hash.js';

const consent = useConsentApp();
const store = () => consent.app.get<EventStore>(EVENT_STORE);
const draft = async (marker: string): Promise<string> => {
  const drafted = await consent.callWithMfa('POST', '/v1/privacy-notices', PUBLISHER, 10, noticeTexts('pl', marker));
  expect(drafted.status).toBe(201);
  // Exactly what the API contract documents (parsing drops what it does not state, so a missing field shows).
  expect(consentApi.draftNotice.response.parse(drafted.body)).toEqual(drafted.body);
  return drafted.body.version as string;
};

describe('privacy notices: publish', () => {
  it('publishes a draft with a fresh second factor, recording the hash of its canonical content in the event', async () => {
    const version = await draft('Pub1');
    clock.set('2026-12-02T11:00:00.000Z');
    const published = await consent.callWithMfa('POST', `/v1/privacy-notices/${version}/publication`, PUBLISHER, 30);
    expect(published.status).toBe(200);
    expect(consentApi.publishNotice.response.parse(published.body)).toEqual(published.body);
    expect(published.body).toMatchObject({ version, status: 'published', publishedAt: '2026-12-02T11:00:00.000Z', publishedBy: consent.actor });

    const stored = await consent.app.get(NoticeStates).version(version);
    expect(published.body.contentSha256).toBe(noticeContentSha256(stored!.content));
    expect(published.body.contentSha256).toMatch(/^[0-9a-f]{64}$/);

    const envelope = (await store().readStream('privacy-notice-pl')).at(-1)!.envelope;
    expect(envelope.eventType).toBe('crm.consent.v1.PrivacyNoticePublished');
    const payload = decodePayload(envelope, PrivacyNoticePublishedSchema);
    expect([payload.noticeVersion, payload.lang, payload.contentSha256]).toEqual([version, 'pl', published.body.contentSha256]);
  });

  it('refuses publishing twice, an unknown version, and a caller without the permission or a fresh second factor; writes nothing', async () => {
    const version = await draft('Pub2');
    const cases = [
      [PUBLISHER, undefined, version, 403, 'STEP_UP_REQUIRED'],
      [PUBLISHER, 3600, version, 403, 'STEP_UP_REQUIRED'],
      [['consent:write'] as const, 10, version, 403, 'FORBIDDEN'],
      [PUBLISHER, 10, 'pl-999999', 404, 'NOTICE_VERSION_UNKNOWN'],
      [PUBLISHER, 10, 'de-1', 404, 'NOTICE_VERSION_UNKNOWN'],
      [PUBLISHER, 10, 'not-a-version', 404, 'NOTICE_VERSION_UNKNOWN'],
    ] as const;
    const before = (await store().readStream('privacy-notice-pl')).length;
    for (const [perms, mfaAge, name, status, code] of cases) {
      const path = `/v1/privacy-notices/${name}/publication`;
      const response = mfaAge === undefined ? await consent.call('POST', path, perms) : await consent.callWithMfa('POST', path, perms, mfaAge);
      expect({ name, mfaAge, status: response.status, code: response.body?.code }).toEqual({ name, mfaAge, status, code });
    }
    expect((await store().readStream('privacy-notice-pl')).length).toBe(before);

    const first = await consent.callWithMfa('POST', `/v1/privacy-notices/${version}/publication`, PUBLISHER, 10);
    expect(first.status).toBe(200);
    const again = await consent.callWithMfa('POST', `/v1/privacy-notices/${version}/publication`, PUBLISHER, 10);
    expect([again.status, again.body.code]).toEqual([409, 'NOTICE_ALREADY_PUBLISHED']);
    // The published version is unchanged: same hash, one publication event.
    const events = await store().readStream('privacy-notice-pl');
    expect(events.length).toBe(before + 1);
    expect((await consent.app.get(NoticeStates).version(version))?.contentSha256).toBe(first.body.contentSha256);
  });

  it('keeps the language row equal to the fold of its stream (what the public routes read is what the events say)', async () => {
    await consent.publishNotice('pl', 'Fold');
    // Other spec files may append meanwhile: the row is read first, and compared with the fold of as many events as it counts.
    const row = await consent.app.get(NoticeStates).byLang('pl');
    const events = await Promise.all((await store().readStream('privacy-notice-pl')).map((event) => noticeCodec.decode(event.envelope)));
    expect(row!.state).toEqual(fold(noticeDecider, events.slice(0, Number(row!.version))));
  });
});
