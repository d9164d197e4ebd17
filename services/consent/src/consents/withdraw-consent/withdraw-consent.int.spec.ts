import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { clock, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const consent = useConsentApp();
const { call, give } = consent;

describe('consent: withdraw', () => {
  it('withdraws the consent in force, keeping what it ends, at the injected clock', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-05T09:00:00.000Z');
    await give(contactId, 'W1');
    clock.set('2026-12-06T09:30:00.000Z');
    const withdrawn = await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, WRITER, { channel: 'phone' });
    expect([withdrawn.status, withdrawn.body]).toEqual([
      200,
      {
        contactId,
        version: 2,
        purpose: 'marketing',
        consent: {
          status: 'withdrawn',
          catalogueVersion: PURPOSE_CATALOGUE_VERSION,
          noticeVersion: consent.notice.version,
          noticeContentSha256: consent.notice.contentSha256,
          channel: 'web-form',
          givenAt: '2026-12-05T09:00:00.000Z',
          givenBy: consent.actor,
          withdrawnAt: '2026-12-06T09:30:00.000Z',
          withdrawnBy: consent.actor,
          withdrawalChannel: 'phone',
        },
      },
    ]);
    // No body at all is as good as an empty one: withdrawing is as easy as giving.
    await give(contactId, 'W2');
    expect((await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, WRITER)).status).toBe(200);
  });

  it('refuses a withdrawal of a consent never given or withdrawn already, an unknown purpose and a bad body, and writes nothing', async () => {
    const never = await consent.knownContact();
    const cases = [
      [`/v1/contacts/${never}/consents/marketing/withdrawal`, {}, 409, 'CONSENT_NOT_GIVEN'],
      [`/v1/contacts/${never}/consents/gossip/withdrawal`, {}, 400, 'CONSENT_PURPOSE_UNKNOWN'],
      [`/v1/contacts/${never}/consents/marketing/withdrawal`, { channel: 'pigeon' }, 400, 'REQUEST_INVALID'],
      [`/v1/contacts/${never}/consents/marketing/withdrawal`, { reason: 'x' }, 400, 'REQUEST_INVALID'],
      ['/v1/contacts/nope/consents/marketing/withdrawal', {}, 400, 'CONSENT_CONTACT_ID_INVALID'],
    ] as const;
    for (const [path, body, status, code] of cases) {
      const response = await call('POST', path, WRITER, body);
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status, code });
    }
    expect(await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${never}`)).toEqual([]);

    const twice = await consent.knownContact();
    await give(twice, 'T');
    expect((await call('POST', `/v1/contacts/${twice}/consents/marketing/withdrawal`, WRITER, {})).status).toBe(200);
    const again = await call('POST', `/v1/contacts/${twice}/consents/marketing/withdrawal`, WRITER, {});
    expect([again.status, again.body.code]).toEqual([409, 'CONSENT_NOT_GIVEN']);
    expect((await call('GET', `/v1/contacts/${twice}/consents`, READER)).body.version).toBe(2);
  });
});
