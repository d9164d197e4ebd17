import { ConsentsViewedSchema, decodePayload, SubjectRequestPackageDownloadedSchema, type EventEnvelope } from '@crm/contracts';
import { uuidv7 } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { accessTopic } from '@crm/platform';
import { envelopeIn, uniqueName } from '@crm/testing';
import { RequestOutputs } from '../requests/request-outputs/request-outputs.repository.js';
import { clock, DPO, READER, useConsentApp } from '../testing/consent.fixture.js';

const consent = useConsentApp();

/** Reads the access topic from its start until an envelope of this type about this subject is there (polling, no sleep). */
async function accessEvent(payloadType: string, subjectId: string): Promise<EventEnvelope> {
  const kafka = consent.app.get<KafkaCluster>(KAFKA_PRIMARY, { strict: false });
  const mine = (value: Uint8Array) => {
    const envelope = envelopeIn(value);
    return envelope?.payloadType === payloadType && envelope.subjectId === subjectId ? envelope : undefined;
  };
  const seen = await kafka.readFromStart(accessTopic('consent'), (messages) => messages.some((message) => mine(message.value) !== undefined), {
    groupId: uniqueName('it-consent-access'),
    timeoutMs: 30_000,
  });
  return seen.map((message) => mine(message.value)).find((envelope) => envelope !== undefined)!;
}

describe('consent: reads of what consent keeps about a person are access events', () => {
  it('records every answer of GET /v1/contacts/{id}/consents as ConsentsViewed: the reader, the purpose, counts, no value', async () => {
    const contactId = await consent.knownContact();
    clock.set('2026-12-09T08:00:00.000Z');
    await consent.give(contactId, 'Viewed');
    const reader = uniqueName('reader');

    const view = await consent.call('GET', `/v1/contacts/${contactId}/consents`, READER, undefined, reader);
    expect(view.status).toBe(200);

    const envelope = await accessEvent(ConsentsViewedSchema.typeName, contactId);
    expect({ actor: envelope.actor?.id, purpose: envelope.purpose, ...decodePayload(envelope, ConsentsViewedSchema) }).toMatchObject({
      actor: reader,
      purpose: 'data-subject-rights',
      contactId,
      historyCount: 1,
      evidenceCount: 1,
    });
    expect(Buffer.from(envelope.payload).toString('latin1')).not.toContain('Viewed');
  });

  it('records downloading a request package as SubjectRequestPackageDownloaded: the DPO, the request, the format', async () => {
    const contactId = await consent.knownContact();
    const requestId = uuidv7();
    const now = new Date('2026-12-09T09:00:00.000Z');
    clock.set(now.toISOString());
    await consent.app
      .get(RequestOutputs, { strict: false })
      .savePackage(
        requestId,
        contactId,
        [{ format: 'json', contentType: 'application/json', content: '{"marker":"Package"}' }],
        now,
        new Date('2027-01-08T09:00:00.000Z'),
      );

    const download = await consent.callWithMfa('GET', `/v1/requests/${requestId}/package?format=json`, DPO, 10);
    expect([download.status, download.text]).toEqual([200, '{"marker":"Package"}']);

    const envelope = await accessEvent(SubjectRequestPackageDownloadedSchema.typeName, contactId);
    expect({ actor: envelope.actor?.id, purpose: envelope.purpose, ...decodePayload(envelope, SubjectRequestPackageDownloadedSchema) }).toMatchObject({
      actor: consent.actor,
      purpose: 'data-subject-rights',
      requestId,
      contactId,
      format: 'json',
    });
  });
});
