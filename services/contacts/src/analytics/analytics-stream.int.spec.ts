import {
  ActorType,
  ConsentWithdrawnSchema,
  ContactProfileSchema,
  EventEnvelopeSchema,
  fromBinary,
  LegalBasis,
  ObjectionRecordedSchema,
  timestampFromDate,
  toBinary,
} from '@crm/contracts';
import { createEnvelope, envelopeHeaders, protoEvent, type NewEvent } from '@crm/eventstore';
import { KafkaCluster, type IncomingMessage, type OutgoingMessage } from '@crm/messaging';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { DPO, useContactsApp, WRITER } from '../testing/contacts.fixture.js';
import { CONSENT_TOPIC } from '../lawful-basis/consent-states.projection.js';
import { ANALYTICS_CONTACTS_TOPIC, pseudonymOf } from './analytics-profile.decision.js';
import { ANALYTICS_KEY } from './analytics-key.js';

// The analytics stream as the contacts service derives it (its reactor on contacts' and consent's events), read the
// way an analyst reads it: a plain Kafka consumer signed in as the `analyst` principal, bytes decoded with the
// schema alone. Waiting is polling, never sleeping.
const contacts = useContactsApp();
const { call, config } = contacts;
const opened: KafkaCluster[] = [];
const clusterAs = (user: string | undefined): KafkaCluster => {
  const sasl = user === undefined ? config.kafka.sasl : testPlatformConfig('test', { CRM_KAFKA_USER: user }).kafka.sasl;
  const cluster = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl, clientId: uniqueName('analytics-it') });
  opened.push(cluster);
  return cluster;
};
const analyst = clusterAs('analyst');
const service = clusterAs(undefined);
afterAll(() => Promise.all(opened.map((cluster) => cluster.close())));

const WITHIN = { timeoutMs: 30_000, intervalMs: 250 };

/** Every record of the analytics topic, as the analyst reads it (group `analyst-…`, never committed). */
async function analyticsRecords(): Promise<IncomingMessage[]> {
  const records: IncomingMessage[] = [];
  await analyst.readToEnd([ANALYTICS_CONTACTS_TOPIC], (message) => void records.push(message), { groupId: uniqueName('analyst-it'), timeoutMs: 20_000 });
  return records;
}
const recordsOf = async (subject: string) => (await analyticsRecords()).filter((record) => record.key === subject);
const isTombstone = (record: IncomingMessage): boolean => record.value === null || record.value === undefined;

const subjectOf = (contactId: string): string => pseudonymOf(contacts.app.get<Buffer>(ANALYTICS_KEY), contactId);

/** A contact with every catalogue unit, each personal value recognisable by the marker. */
function personWith(marker: string) {
  return {
    name: { given: `Ann${marker}`, family: `Lee${marker}` },
    emails: [`ann.${marker.toLowerCase()}@example.com`],
    phones: ['+4915123456789'],
    addresses: [{ street: `Main${marker} 1`, postalCode: '10115', city: `Berlin${marker}`, country: 'DE' }],
    birthDate: '1990-02-03',
    preferences: { channels: ['email'], categories: ['garden', 'books'] },
    notes: [`likes ${marker}`],
  };
}
async function createContact(marker: string): Promise<string> {
  const created = await call('POST', '/v1/contacts', WRITER, { purpose: 'customer-service', data: personWith(marker) });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** One consent event as the consent service's relay publishes it (`crm.consent.v1.events`, stream `consent-<id>`). */
function consentMessage(contactId: string, version: bigint, event: NewEvent): OutgoingMessage {
  const metadata = {
    actor: { id: 'analytics-it', type: ActorType.USER },
    purpose: 'data-subject-rights',
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: uniqueName('c'),
  };
  const envelope = createEnvelope(`consent-${contactId}`, version, event, metadata, new Date());
  return { key: contactId, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) };
}

describe('contacts: the analytics stream crm.analytics.v1.contacts', () => {
  it('holds per pseudonym only what the analytics purpose may see: no contact id, no sealed field, no other value', async () => {
    const marker = uniqueName('Ana').replace(/[^A-Za-z0-9]/g, '');
    const contactId = await createContact(marker);
    await call('POST', `/v1/contacts/${contactId}/transactions`, WRITER, {
      purpose: 'billing',
      transaction: { description: `gift ${marker}`, amountCents: 1250, currency: 'EUR', occurredAt: '2026-03-04T05:06:07Z' },
    });
    const subject = subjectOf(contactId);
    expect(subject).toMatch(/^[0-9a-f]{64}$/);

    await expectEventually(async () => {
      const latest = (await recordsOf(subject)).at(-1);
      expect(latest === undefined || isTombstone(latest)).toBe(false);
      expect(fromBinary(ContactProfileSchema, latest!.value).purchases).toHaveLength(1);
    }, WITHIN);
    const records = await recordsOf(subject);
    const profile = fromBinary(ContactProfileSchema, records.at(-1)!.value);
    expect(profile).toMatchObject({
      subject,
      countries: ['DE'],
      preferenceCategories: ['books', 'garden'],
      ageBand: '',
      postalPrefixes: [],
      purchases: [expect.objectContaining({ currency: 'EUR', count: 1, totalCents: 1250n })],
    });

    // Every record on the topic is keyed by a pseudonym and is a profile or a tombstone, never an envelope or a seal;
    // nothing on it names this contact, and none of this subject's records carries a value analytics may not see
    // (the whole topic is not searched for the fixed values: it keeps whatever earlier runs wrote, forever).
    const everything = await analyticsRecords();
    const forbidden = [contactId, contactId.replaceAll('-', ''), marker, 'ann.', '4915123456789', '1990-02-03', '10115', 'gift', '2026-03-04', 'email'];
    for (const record of everything) {
      expect(record.key).toMatch(/^[0-9a-f]{64}$/);
      // The pseudonyms (key, and `subject` in the value) are hex: taken out, so a digit value cannot match by chance.
      const bytes = Buffer.concat([Buffer.from(record.key ?? ''), record.value ?? Buffer.alloc(0)])
        .toString('latin1')
        .replace(/[0-9a-f]{64}/g, '');
      for (const value of record.key === subject ? forbidden : [contactId, marker]) expect(bytes).not.toContain(value);
      if (!isTombstone(record)) fromBinary(ContactProfileSchema, record.value);
    }
  });

  it('stops a subject whose consent for analytics is withdrawn, or who objected: a tombstone, and nothing after it', async () => {
    const withdrawing = await createContact(uniqueName('Wd').replace(/[^A-Za-z0-9]/g, ''));
    const objecting = await createContact(uniqueName('Ob').replace(/[^A-Za-z0-9]/g, ''));
    const [withdrawingSubject, objectingSubject] = [subjectOf(withdrawing), subjectOf(objecting)];
    await expectEventually(async () => {
      expect((await recordsOf(withdrawingSubject)).length).toBeGreaterThan(0);
      expect((await recordsOf(objectingSubject)).length).toBeGreaterThan(0);
    }, WITHIN);

    const at = timestampFromDate(new Date());
    await service.ensureTopics([{ name: CONSENT_TOPIC, partitions: 6 }]);
    await service.publish(CONSENT_TOPIC, [
      consentMessage(withdrawing, 1n, protoEvent(ConsentWithdrawnSchema, { contactId: withdrawing, purpose: 'analytics', withdrawnAt: at }, withdrawing)),
      consentMessage(
        objecting,
        1n,
        protoEvent(ObjectionRecordedSchema, { contactId: objecting, purpose: 'analytics', catalogueVersion: 1, recordedAt: at }, objecting),
      ),
    ]);
    await expectEventually(async () => {
      expect(isTombstone((await recordsOf(withdrawingSubject)).at(-1)!)).toBe(true);
      expect(isTombstone((await recordsOf(objectingSubject)).at(-1)!)).toBe(true);
    }, WITHIN);

    // A later change to the contacts is derived again (a second tombstone shows it was), and still publishes no profile.
    for (const id of [withdrawing, objecting]) {
      const rectified = await call('PATCH', `/v1/contacts/${id}`, WRITER, { purpose: 'customer-service', changes: { preferences: { categories: ['tools'] } } });
      expect(rectified.status).toBe(200);
    }
    await expectEventually(async () => {
      for (const subject of [withdrawingSubject, objectingSubject]) {
        const records = await recordsOf(subject);
        const firstTombstone = records.findIndex(isTombstone);
        expect(records.slice(firstTombstone).filter(isTombstone).length).toBeGreaterThanOrEqual(2);
        expect(records.slice(firstTombstone).every(isTombstone)).toBe(true);
      }
    }, WITHIN);
  });

  it('erasure emits the tombstone under the pseudonym', async () => {
    const contactId = await createContact(uniqueName('Er').replace(/[^A-Za-z0-9]/g, ''));
    const subject = subjectOf(contactId);
    await expectEventually(async () => expect((await recordsOf(subject)).some((record) => !isTombstone(record))).toBe(true), WITHIN);

    expect((await call('POST', `/v1/contacts/${contactId}/erasure`, DPO, {}, {}, 10)).body).toMatchObject({ alreadyErased: false });
    await expectEventually(async () => expect(isTombstone((await recordsOf(subject)).at(-1)!)).toBe(true), WITHIN);
  });

  it('is a compacted topic', async () => {
    expect(await service.topicConfig(ANALYTICS_CONTACTS_TOPIC)).toMatchObject({ 'cleanup.policy': 'compact' });
  });
});
