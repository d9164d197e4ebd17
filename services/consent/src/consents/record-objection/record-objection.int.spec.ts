import type { EventStore } from '@crm/eventstore';
import { decodePayload, ObjectionRecordedSchema } from '@crm/contracts';
import { EVENT_STORE } from '@crm/platform';
import { clock, READER, useConsentApp, WRITER } from '../../testing/consent.fixture.js';
import { PURPOSE_CATALOGUE_VERSION } from '../../purposes/purpose.catalogue.js';

const consent = useConsentApp();
const { call, give } = consent;

describe('consent: object (Art. 21)', () => {
  it('records an objection to analytics and to direct marketing, at the injected clock', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-07T11:00:00.000Z');
    const analytics = await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics' });
    expect([analytics.status, analytics.body]).toEqual([
      201,
      {
        contactId,
        version: 1,
        purpose: 'analytics',
        objection: { catalogueVersion: PURPOSE_CATALOGUE_VERSION, recordedAt: '2026-12-07T11:00:00.000Z', recordedBy: consent.actor },
      },
    ]);
    await give(contactId, 'O1');
    const marketing = await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'marketing', channel: 'email' });
    expect([marketing.status, marketing.body.version, marketing.body.objection.channel]).toEqual([201, 3, 'email']);

    const events = await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`);
    expect(events.map((event) => event.envelope.eventType)).toEqual([
      'crm.consent.v1.ObjectionRecorded',
      'crm.consent.v1.ConsentGiven',
      'crm.consent.v1.ObjectionRecorded',
    ]);
    expect(decodePayload(events[0]!.envelope, ObjectionRecordedSchema)).toMatchObject({
      contactId,
      purpose: 'analytics',
      catalogueVersion: PURPOSE_CATALOGUE_VERSION,
    });
  });

  it('refuses an objection to a purpose not on legitimate interests, a repeated one, an unknown purpose and a bad body, and writes nothing', async () => {
    const contactId = await consent.knownContact();
    const cases = [
      [{ purpose: 'sales' }, 400, 'OBJECTION_NOT_APPLICABLE'],
      [{ purpose: 'data-subject-rights' }, 400, 'OBJECTION_NOT_APPLICABLE'],
      [{ purpose: 'gossip' }, 400, 'CONSENT_PURPOSE_UNKNOWN'],
      [{}, 400, 'REQUEST_INVALID'],
      [{ purpose: 'analytics', because: 'x' }, 400, 'REQUEST_INVALID'],
    ] as const;
    for (const [body, status, code] of cases) {
      const response = await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({ body, status, code });
    }
    expect(await consent.app.get<EventStore>(EVENT_STORE).readStream(`consent-${contactId}`)).toEqual([]);

    expect((await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics' })).status).toBe(201);
    const again = await call('POST', `/v1/contacts/${contactId}/objections`, WRITER, { purpose: 'analytics' });
    expect([again.status, again.body.code]).toEqual([409, 'OBJECTION_ALREADY_RECORDED']);
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, READER)).body.version).toBe(1);
  });
});
