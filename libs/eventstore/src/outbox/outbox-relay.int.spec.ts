import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { decodeEnvelope } from '@crm/contracts';
import { KafkaCluster, type IncomingMessage } from '@crm/messaging';
import { expectEventually, migrateScratchSchema, scratchSchema, testEnv, testPlatformConfig, uniqueName } from '@crm/testing';
import { ENVELOPE_CONTENT_TYPE, envelopeHeaders, EventStore, eventStoreMigrations, OutboxRelay, type NewEvent } from '../index.js';
import { sampleMetadata } from '../testing-fixtures.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'relay-int-test' });
let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ pool, schema, drop } = await scratchSchema('relay', eventStoreMigrations));
});
afterAll(async () => {
  await kafka.close();
  await drop();
});

const event = (subject: string, n: number): NewEvent => ({
  type: 'crm.testing.v1.SampleRecorded',
  payloadType: 'crm.testing.v1.SampleRecorded',
  payload: Buffer.from(`${subject}:${n}`),
  subjectId: subject,
});

async function seed(store: EventStore, subjects: number, perSubject: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= perSubject; n++) {
    const results = await Promise.all(
      Array.from({ length: subjects }, (_, s) =>
        store.append(`stream-${s}`, n === 1 ? 'no_stream' : BigInt(n - 1), [event(`subject-${s}`, n)], sampleMetadata()),
      ),
    );
    ids.push(...results.flatMap((result) => result.eventIds));
  }
  return ids;
}

async function readTopic(topic: string, expected: number): Promise<IncomingMessage[]> {
  return kafka.readFromStart(topic, (seen) => new Set(seen.map((m) => m.headers['event-id'])).size >= expected, {
    groupId: uniqueName('relay-reader'),
    timeoutMs: 60_000,
  });
}

/** Every record on the topic, read to its end (duplicates included). */
async function everything(topic: string): Promise<IncomingMessage[]> {
  const messages: IncomingMessage[] = [];
  await kafka.readToEnd([topic], (message) => void messages.push(message), { groupId: uniqueName('relay-all'), timeoutMs: 60_000 });
  return messages;
}

/** Each event id exactly once on the topic. */
function expectOnce(messages: IncomingMessage[], ids: string[]): void {
  expect(messages.map((m) => m.headers['event-id']).sort()).toEqual([...ids].sort());
}

/** Per key, the first sighting of each stream version must be 1, 2, 3, … : duplicates are allowed, gaps and reorderings are not. */
function expectOrderedPerKey(messages: IncomingMessage[]): void {
  const byKey = new Map<string, bigint[]>();
  for (const message of messages) {
    const version = decodeEnvelope(message.value).streamVersion;
    const seen = byKey.get(message.key!) ?? [];
    if (!seen.includes(version)) seen.push(version);
    byKey.set(message.key!, seen);
  }
  for (const versions of byKey.values()) expect(versions).toEqual(versions.map((_, i) => BigInt(i + 1)));
}

describe('the outbox relay', () => {
  it('publishes committed events keyed by subject, with headers analysts can read, and empties the outbox', async () => {
    const topic = uniqueName('it-relay');
    await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
    const store = new EventStore(pool, { schema, topic });
    const ids = await seed(store, 4, 5);

    const relay = new OutboxRelay(pool, kafka, { schema, batchSize: 7 });
    relay.start();
    const messages = await readTopic(topic, ids.length);
    await relay.stop();

    expect(new Set(messages.map((m) => m.headers['event-id']))).toEqual(new Set(ids));
    expect(messages[0]?.headers).toMatchObject({ 'content-type': ENVELOPE_CONTENT_TYPE, 'event-type': 'crm.testing.v1.SampleRecorded' });
    expectOrderedPerKey(messages);
    await expectEventually(async () => {
      expect((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`)).rows[0].n).toBe(0);
    });
  });

  it('killed with SIGKILL in the middle of its work, loses nothing: a new relay publishes the rest', async () => {
    const relayProcess = join(import.meta.dirname, '..', '..', 'dist', 'outbox', 'relay-process.js');
    if (!existsSync(relayProcess)) throw new Error(`${relayProcess} is missing: run \`npm run build\` before the integration tests`);
    const topic = uniqueName('it-relay-kill');
    await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
    const killSchema = `${schema}_kill`;
    await migrateScratchSchema(killSchema, eventStoreMigrations);
    const store = new EventStore(pool, { schema: killSchema, topic });
    const ids = await seed(store, 10, 40);

    const child = spawn(process.execPath, [relayProcess, killSchema, '20'], {
      env: testEnv({ CRM_PG_DATABASE: 'crm_test', CRM_LOG_LEVEL: 'error' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for await (const line of createInterface({ input: child.stdout! })) {
      if ((JSON.parse(line) as { total: number }).total >= 60) break;
    }
    child.kill('SIGKILL');
    await exited;
    const left = (await pool.query(`SELECT count(*)::int AS n FROM "${killSchema}".outbox`)).rows[0].n as number;
    expect(left).toBeGreaterThan(0); // the kill really landed before the relay was done

    const relay = new OutboxRelay(pool, kafka, { schema: killSchema, batchSize: 500 });
    await relay.drain();
    const messages = await readTopic(topic, ids.length);

    expect(new Set(messages.map((m) => m.headers['event-id']))).toEqual(new Set(ids));
    expectOrderedPerKey(messages);
    expectOnce(await everything(topic), ids);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${killSchema}".outbox`)).rows[0].n).toBe(0);
  });

  it('taking over from a relay that published a batch and died before deleting it, publishes the rest and not that batch again', async () => {
    const topic = uniqueName('it-relay-takeover');
    await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
    const takeoverSchema = `${schema}_takeover`;
    await migrateScratchSchema(takeoverSchema, eventStoreMigrations);
    const store = new EventStore(pool, { schema: takeoverSchema, topic });
    const ids = await seed(store, 5, 4);
    // What the dead relay did: its first batch reached Kafka, and its rows are still in the outbox.
    const { rows } = await pool.query<{ event_id: string; event_type: string; message_key: string; envelope: Buffer }>(
      `SELECT event_id::text, event_type, message_key, envelope FROM "${takeoverSchema}".outbox ORDER BY position LIMIT 8`,
    );
    await kafka.publish(
      topic,
      rows.map((row) => ({ key: row.message_key, value: row.envelope, headers: envelopeHeaders(row.event_type, row.event_id) })),
    );
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${takeoverSchema}".outbox`)).rows[0].n).toBe(ids.length);

    const relay = new OutboxRelay(pool, kafka, { schema: takeoverSchema, batchSize: 8 });
    await relay.drain();

    const messages = await everything(topic);
    expectOnce(messages, ids);
    expectOrderedPerKey(messages);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${takeoverSchema}".outbox`)).rows[0].n).toBe(0);
  });

  it('whose Postgres session the server ends (a restart), connects again, takes its lock back and goes on relaying', async () => {
    const topic = uniqueName('it-relay-lost');
    await kafka.ensureTopics([{ name: topic, partitions: 2 }]);
    const lostSchema = `${schema}_lost`;
    await migrateScratchSchema(lostSchema, eventStoreMigrations);
    const store = new EventStore(pool, { schema: lostSchema, topic });
    const relay = new OutboxRelay(pool, kafka, { schema: lostSchema, pollIntervalMs: 200 });
    relay.start();
    try {
      const before = await seed(store, 2, 2);
      await readTopic(topic, before.length);
      // The session holding the relay's advisory lock (a one-bigint lock: its high and low halves).
      const holder = async () =>
        (
          await pool.query<{ pid: number }>(
            `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted
               AND ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint`,
            [`outbox-relay:${lostSchema}`],
          )
        ).rows.map((row) => row.pid);
      const [pid] = await holder();
      expect(pid).toBeDefined();
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);

      await expectEventually(async () => expect((await holder()).filter((other) => other !== pid)).toHaveLength(1), { timeoutMs: 30_000, intervalMs: 200 });
      const after = await Promise.all(
        [0, 1].map(async (s) => (await store.append(`stream-${s}`, 2n, [event(`subject-${s}`, 3)], sampleMetadata())).eventIds).flat(),
      );
      await readTopic(topic, before.length + after.flat().length);
      expectOnce(await everything(topic), [...before, ...after.flat()]);
    } finally {
      await relay.stop();
    }
  }, 120_000);
});
