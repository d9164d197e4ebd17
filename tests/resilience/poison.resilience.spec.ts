// Poison on every topic a service consumes, against the running platform: garbage bytes, an event of a type no
// schema is registered for, a huge message and a truncated protobuf. Each consumer that interprets events sends what
// it cannot handle to `<topic>.dlq` with a stable code and keeps going; the cache-eviction reactors read raw bytes
// and never dead-letter; no service crashes, and real writes still flow through every consumer afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { DeadLetterSchema, decodeEnvelope, EventEnvelopeSchema, fromBinary } from '@crm/contracts';
import { KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import { expectEventually, freshAdminSession, gateway, request, staffSession, testPlatformConfig, uniqueName } from '@crm/testing';

const config = testPlatformConfig('resilience');
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: uniqueName('poison') });
const run = randomUUID();
const at = (database: string) => ({ ...config.postgres!, database });

/** Who consumes what, by processor name (the name a dead letter carries) and where it keeps its checkpoints. */
const AUDIT: Consumer = { name: 'audit-ingest', database: 'audit', schema: 'audit' };
/** A consumer without a checkpoint table (`database` absent) keeps its progress as Kafka's committed offsets only. */
interface Consumer {
  name: string;
  database?: string;
  schema?: string;
}
/** The analytics stream's reactor: its effect may run again, so Kafka's committed offsets are its only progress. */
const ANALYTICS: Consumer = { name: 'contacts.analytics' };
const CONSUMERS: Record<string, Consumer[]> = {
  'crm.contacts.v1.events': [AUDIT, { name: 'consent.known-contacts', database: 'consent', schema: 'consent' }, ANALYTICS],
  'crm.consent.v1.events': [AUDIT, { name: 'contacts.consent-states', database: 'contacts', schema: 'contacts' }, ANALYTICS],
  'crm.identity.v1.events': [AUDIT],
  'crm.access.v1.contacts': [AUDIT],
  // The register's changes: privacy notices are drafted from consent's view of them, retention policies from contacts'.
  'crm.audit.v1.events': [
    AUDIT,
    { name: 'consent.register', database: 'consent', schema: 'consent' },
    { name: 'contacts.register-activities', database: 'contacts', schema: 'contacts' },
  ],
};
/** Raw reactors (key and KEK cache eviction in every service): they read bytes, so nothing is poison to them. */
const RAW_TOPICS = ['crm.keys.v1.shredded', 'crm.keys.v1.kek-rotated'];
const SERVICES = { identity: 8081, contacts: 8082, consent: 8083, audit: 8084, backup: 8085, gateway: 8080 } as const;

type Kind = 'garbage' | 'unknown-type' | 'huge' | 'truncated';
const key = (topic: string, kind: Kind) => `poison-${kind}-${topic}-${run}`;

function envelope(eventType: string, payload: Uint8Array) {
  return create(EventEnvelopeSchema, {
    eventId: randomUUID(),
    eventType,
    payloadType: eventType,
    streamId: `poison-${randomUUID()}`,
    streamVersion: 1n,
    subjectId: `poison-${run}`,
    purpose: 'data-protection-oversight',
    payload,
  });
}

/** The four poisons for one topic; 0xff opens no valid protobuf field, so the garbage can never decode by chance. */
function poisons(topic: string): { messages: Array<OutgoingMessage & { key: string }>; unknownEventId: string } {
  const unknown = envelope('crm.nowhere.v1.NeverRegistered', randomBytes(32));
  const whole = toBinary(EventEnvelopeSchema, envelope('crm.contacts.v1.ContactCreated', randomBytes(256)));
  const truncated = whole.subarray(0, Math.floor(whole.length / 2));
  expect(() => decodeEnvelope(truncated)).toThrow();
  return {
    unknownEventId: unknown.eventId,
    messages: [
      { key: key(topic, 'garbage'), value: Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(64)]) },
      { key: key(topic, 'unknown-type'), value: toBinary(EventEnvelopeSchema, unknown), headers: { 'event-id': unknown.eventId } },
      { key: key(topic, 'huge'), value: Buffer.concat([Buffer.from([0xff]), randomBytes(768 * 1024)]) },
      { key: key(topic, 'truncated'), value: Buffer.from(truncated) },
    ],
  };
}

async function deadLetters(topic: string, expected: number) {
  const mine = (messages: ReadonlyArray<{ value: Uint8Array }>) =>
    messages.map((message) => fromBinary(DeadLetterSchema, message.value)).filter((letter) => Buffer.from(letter.originalKey).toString().endsWith(run));
  const read = await kafka.readFromStart(`${topic}.dlq`, (messages) => mine(messages).length >= expected, {
    groupId: uniqueName('poison-dlq'),
    timeoutMs: 120_000,
  });
  return mine(read).map((letter) => ({ key: Buffer.from(letter.originalKey).toString(), consumer: letter.consumerGroup, code: letter.errorCode }));
}

/** Every partition of `topic` checkpointed by `consumer` at or past `ends`: it went past the poison. */
async function passed(consumer: Consumer, topic: string, ends: bigint[]): Promise<void> {
  if (consumer.database === undefined || consumer.schema === undefined) return; // no checkpoints to read (see Consumer)
  const pool = createPool(at(consumer.database), { max: 1 });
  try {
    await expectEventually(
      async () => {
        const { rows } = await pool.query<{ partition: number; next_offset: string }>(
          `SELECT partition, next_offset::text FROM ${consumer.schema}.processor_checkpoints WHERE processor = $1 AND topic = $2`,
          [consumer.name, topic],
        );
        const checkpoint = new Map(rows.map((row) => [row.partition, BigInt(row.next_offset)]));
        ends.forEach((end, partition) => end > 0n && expect({ partition, at: (checkpoint.get(partition) ?? 0n) >= end }).toEqual({ partition, at: true }));
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  } finally {
    await pool.end();
  }
}

const unknownEventIds = new Map<string, string>();
const endsAfterPoison = new Map<string, bigint[]>();

/** A contact written and read through the gateway: its events (and the first read's access event) create every topic. */
async function contactWrittenAndRead(label: string): Promise<string> {
  const admin = (await freshAdminSession()).accessToken;
  const support = (await staffSession(admin, 'support', `poison-${label}`)).accessToken;
  const contact = await request('POST', '/v1/contacts', support, {
    purpose: 'customer-service',
    data: { name: { given: 'Poison', family: label }, emails: [`${label}-${run}@example.com`] },
  });
  expect(contact.status).toBe(201);
  const id = String(contact.body.id);
  expect((await request('GET', `/v1/contacts/${id}?purpose=customer-service`, support)).status).toBe(200);
  return id;
}

beforeAll(async () => {
  // On a fresh platform the access topic appears with the first read of personal data: make one, then poison.
  await contactWrittenAndRead('before');
  const topics = [...Object.keys(CONSUMERS), ...RAW_TOPICS];
  await expectEventually(async () => expect(await kafka.listTopics()).toEqual(expect.arrayContaining(topics)), { timeoutMs: 30_000, intervalMs: 250 });
  for (const topic of topics) {
    const { messages, unknownEventId } = poisons(topic);
    unknownEventIds.set(topic, unknownEventId);
    // One by one: the huge one alone fills a produce request.
    for (const message of messages) await kafka.publish(topic, [message]);
    endsAfterPoison.set(topic, await kafka.endOffsets(topic));
  }
}, 180_000);

afterAll(() => kafka.close());

describe('poison on every consumed topic', () => {
  it.each(Object.entries(CONSUMERS))(
    '%s: each consumer dead-letters what it cannot handle, with a stable code, and goes past it',
    async (topic, consumers) => {
      const expected = consumers.flatMap((consumer) =>
        (['garbage', 'unknown-type', 'huge', 'truncated'] as const)
          // The audit trail records every envelope, read or not: an unknown type is an entry without touched fields.
          .filter((kind) => !(kind === 'unknown-type' && consumer === AUDIT))
          .map((kind) => ({
            key: key(topic, kind),
            consumer: consumer.name,
            code: kind === 'unknown-type' ? 'EVENT_PAYLOAD_TYPE_UNKNOWN' : 'EVENT_DECODE_FAILED',
          })),
      );
      const letters = await deadLetters(topic, expected.length);
      const byKeyAndConsumer = (a: { key: string; consumer: string }, b: { key: string; consumer: string }) =>
        `${a.key}/${a.consumer}`.localeCompare(`${b.key}/${b.consumer}`);
      expect(letters.sort(byKeyAndConsumer)).toEqual(expected.sort(byKeyAndConsumer));
      for (const consumer of consumers) await passed(consumer, topic, endsAfterPoison.get(topic)!);
    },
    300_000,
  );

  it('the audit trail recorded the events of unknown types (a trail with a hole is worse than an entry it cannot read)', async () => {
    const pool = createPool(at('audit'), { max: 1 });
    try {
      const ids = Object.keys(CONSUMERS).map((topic) => unknownEventIds.get(topic)!);
      await expectEventually(
        async () => expect((await pool.query('SELECT event_id FROM audit.entries WHERE event_id = ANY($1)', [ids])).rowCount).toBe(ids.length),
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    } finally {
      await pool.end();
    }
  }, 180_000);
});

describe('after the poison', () => {
  it('no service crashed: every one is still ready', async () => {
    for (const [name, port] of Object.entries(SERVICES)) {
      const url = name === 'gateway' ? gateway : `http://127.0.0.1:${process.env[`CRM_${name.toUpperCase()}_PORT`] ?? port}`;
      const response = await fetch(`${url}/health/ready`);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
    }
  });

  it('a real write still flows through every consumer: the contact is known to consent and recorded in the audit trail', async () => {
    const id = await contactWrittenAndRead('after');
    const consent = createPool(at('consent'), { max: 1 });
    const audit = createPool(at('audit'), { max: 1 });
    try {
      await expectEventually(
        async () => {
          expect((await consent.query('SELECT 1 FROM consent.known_contacts WHERE contact_id = $1', [id])).rowCount).toBe(1);
          expect((await audit.query('SELECT 1 FROM audit.entries WHERE subject_id = $1', [id])).rowCount).toBeGreaterThan(0);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    } finally {
      await Promise.all([consent.end(), audit.end()]);
    }
  }, 180_000);
});
