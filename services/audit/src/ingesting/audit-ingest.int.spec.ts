// The audit ingest projector on the real servers: Kafka topics in, append-only rows with dense leaf indexes out.
import type pg from 'pg';
import { DeadLetterSchema, fromBinary } from '@crm/contracts';
import { systemClock } from '@crm/crypto';
import { KafkaCluster } from '@crm/messaging';
import { deadLetterTopic, processorMigrations, type EventProcessor } from '@crm/processing';
import { expectEventually, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { contactCreated, contactDataAccessed, contactRectified, encode, unknownEvent } from '../testing/audit.fixtures.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { auditTrailMigrations } from '../trail/audit.schema.js';
import { EntriesStore } from '../trail/entries.store.js';
import { AuditLogView } from '../tree-heads/log.view.js';
import { auditIngestProcessor } from './audit-ingest.projector.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'audit-ingester-int-test' });

let pool: pg.Pool;
let drop: () => Promise<void>;
let store: EntriesStore;
let prefix: string;
const running: EventProcessor[] = [];

async function startIngester(view = new AuditLogView(store)): Promise<{ ingester: EventProcessor; view: AuditLogView }> {
  const ingester = auditIngestProcessor(kafka, store, view, await store.logId(), {
    topicPattern: new RegExp(`^${prefix}\\.[a-z]+$`),
    discoveryIntervalMs: 200,
    maxBatchSize: 50,
    now: systemClock,
  });
  running.push(ingester);
  await ingester.start();
  return { ingester, view };
}

async function rows(): Promise<Array<{ leaf_index: string; event_id: string; action: string; fields: string[]; subject_id: string }>> {
  return (await pool.query(`SELECT leaf_index::text, event_id, action, fields, subject_id FROM ${store.s}.entries ORDER BY leaf_index`)).rows;
}

beforeEach(async () => {
  let schema: string;
  ({ pool, schema, drop } = await scratchSchema('it_audit_ingest', [...processorMigrations, ...auditTrailMigrations]));
  store = new EntriesStore(pool, schema);
  prefix = uniqueName('itaudit').replaceAll('-', '');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((ingester) => ingester.stop()));
  await drop();
});
afterAll(() => kafka.close());

describe('the audit ingest on real Postgres and Kafka', () => {
  it('given envelopes, a redelivery, garbage and an unknown payload type, then each event is one entry with dense leaf indexes and the garbage is dead-lettered', async () => {
    const contacts = `${prefix}.contacts`;
    await kafka.ensureTopics([{ name: contacts, partitions: 3 }]);
    const created = contactCreated('contact-1', ['name.given', 'emails']);
    const rectified = contactRectified('contact-1', ['phones'], ['addresses']);
    const unknown = unknownEvent({ subjectId: 'contact-2' });
    await kafka.publish(contacts, [
      { key: 'contact-1', value: encode(created) },
      { key: 'contact-1', value: encode(rectified) },
      { key: 'contact-1', value: encode(created) },
      { key: 'contact-2', value: Buffer.from('not an envelope') },
      { key: 'contact-2', value: encode(unknown) },
    ]);

    const { ingester, view } = await startIngester();
    await expectEventually(async () => expect(await ingester.caughtUp()).toBe(true), { timeoutMs: 30_000, intervalMs: 200 });

    const recorded = await rows();
    expect(recorded.map((row) => row.leaf_index)).toEqual(['0', '1', '2']);
    expect(recorded.map((row) => row.event_id).sort()).toEqual([created.eventId, rectified.eventId, unknown.eventId].sort());
    expect(recorded.find((row) => row.event_id === rectified.eventId)?.fields).toEqual(['addresses', 'phones']);
    expect(recorded.find((row) => row.event_id === unknown.eventId)?.fields).toEqual([]);
    // The tree followed the commits, with hashes recomputable from the rows.
    expect(view.size).toBe(3);
    const stored = await store.entriesAfter(-1, 10);
    expect(stored.map((entry) => Buffer.from(entryLeafHash(entry)).toString('hex'))).toEqual(
      stored.map((entry) => Buffer.from(entry.leafHash).toString('hex')),
    );
    expect(stored.map((entry) => Buffer.from(view.tree.leafHash(entry.leafIndex)).toString('hex'))).toEqual(
      stored.map((entry) => Buffer.from(entry.leafHash).toString('hex')),
    );
    // What is not an envelope is kept apart, with its code and its bytes, and did not stop the ingest.
    const [letter] = await kafka.readFromStart(deadLetterTopic(contacts), (seen) => seen.length >= 1, {
      groupId: uniqueName('it-audit-dlq'),
      timeoutMs: 20_000,
    });
    expect(fromBinary(DeadLetterSchema, letter!.value)).toMatchObject({
      errorCode: 'EVENT_DECODE_FAILED',
      originalTopic: contacts,
      originalValue: new Uint8Array(Buffer.from('not an envelope')),
    });
  });

  it('given a topic created after start, then discovery subscribes to it; given a restart, then nothing is recorded twice', async () => {
    const contacts = `${prefix}.contacts`;
    await kafka.ensureTopics([{ name: contacts, partitions: 2 }]);
    await kafka.publish(contacts, [{ key: 'c-1', value: encode(contactCreated('c-1', ['emails'])) }]);
    const first = await startIngester();
    await expectEventually(async () => expect((await rows()).length).toBe(1), { timeoutMs: 30_000, intervalMs: 200 });

    const access = `${prefix}.access`;
    await kafka.ensureTopics([{ name: access, partitions: 1 }]);
    await kafka.publish(access, [{ key: 'c-1', value: encode(contactDataAccessed('c-1', ['emails', 'name.given'])) }]);
    await expectEventually(
      async () => expect((await rows()).map((row) => row.action)).toEqual(['crm.contacts.v1.ContactCreated', 'crm.contacts.v1.ContactDataAccessed']),
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    expect(first.ingester.topics).toEqual([access, contacts]);

    await first.ingester.stop();
    running.length = 0;
    // Kafka forgets nothing here, but even a replay from offset 0 (checkpoints decide) must change nothing.
    await kafka.publish(contacts, [{ key: 'c-2', value: encode(contactCreated('c-2', ['phones'])) }]);
    const second = await startIngester();
    await expectEventually(async () => expect(await second.ingester.caughtUp()).toBe(true), { timeoutMs: 30_000, intervalMs: 200 });
    expect((await rows()).map((row) => [row.leaf_index, row.subject_id])).toEqual([
      ['0', 'c-1'],
      ['1', 'c-1'],
      ['2', 'c-2'],
    ]);
    expect(await second.view.sync()).toBe(3);
  });

  it('given the table owner, then UPDATE, DELETE and TRUNCATE of entries are refused by the database', async () => {
    const contacts = `${prefix}.contacts`;
    await kafka.ensureTopics([{ name: contacts, partitions: 1 }]);
    await kafka.publish(contacts, [{ key: 'c-1', value: encode(contactCreated('c-1', ['emails'])) }]);
    await startIngester();
    await expectEventually(async () => expect((await rows()).length).toBe(1), { timeoutMs: 30_000, intervalMs: 200 });

    await expect(pool.query(`UPDATE ${store.s}.entries SET purpose = 'x'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(pool.query(`DELETE FROM ${store.s}.entries`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool.query(`TRUNCATE ${store.s}.entries`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await rows()).length).toBe(1);
  });
});
