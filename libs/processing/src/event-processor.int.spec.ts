// The event processor on the real servers: projectors (read model + checkpoint in one transaction), reactors
// (once per event id), dead letters, retries, rebuilds.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { create, DeadLetterSchema, EventEnvelopeSchema, fromBinary, toBinary } from '@crm/contracts';
import { AppError } from '@crm/http';
import { KafkaCluster } from '@crm/messaging';
import type { SchemaMigration } from '@crm/postgres';
import { expectEventually, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import {
  deadLetterTopic,
  EventProcessor,
  processorMigrations,
  projectionProcessor,
  type ProcessedEvent,
  type Projection,
  type ProjectedEvent,
} from './index.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'processor-int-test' });

/** Totals per subject: enough state that a double-applied or skipped event shows in the numbers. */
class SampleTotals implements Projection {
  readonly name: string;
  applied = 0;
  readonly poison = new Set<string>();
  readonly flaky = new Map<string, number>();

  constructor(
    private readonly schema: string,
    readonly topics: readonly string[],
  ) {
    this.name = `totals-${schema}`;
  }

  async apply(tx: pg.PoolClient, { envelope }: ProjectedEvent): Promise<void> {
    if (this.poison.has(envelope.eventId)) throw new AppError('SAMPLE_REJECTED', 'invalid', 'the projection rejects this event');
    const { amount } = JSON.parse(Buffer.from(envelope.payload).toString()) as { amount: number };
    await tx.query(
      `INSERT INTO "${this.schema}".totals VALUES ($1, 1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET events = totals.events + 1, amount = totals.amount + $2, last_version = $3`,
      [envelope.subjectId, amount, envelope.streamVersion.toString()],
    );
    // After the write, so a failure here leaves an uncommitted write behind that must not survive.
    // Keyed by event id, or by `<stream>@<version>` for an event not published yet.
    const key = this.flaky.has(envelope.eventId) ? envelope.eventId : `${envelope.streamId}@${envelope.streamVersion}`;
    const failuresLeft = this.flaky.get(key) ?? 0;
    if (failuresLeft > 0) {
      this.flaky.set(key, failuresLeft - 1);
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    }
    this.applied++;
  }

  async reset(tx: pg.PoolClient): Promise<void> {
    await tx.query(`DELETE FROM "${this.schema}".totals`);
  }
}

interface Fixture {
  pool: pg.Pool;
  schema: string;
  topic: string;
  projection: SampleTotals;
  runner: EventProcessor;
  /** Envelopes as published, per stream, in order. */
  published: Array<{ key: string; value: Uint8Array; eventId: string }>;
  versions: Map<string, bigint>;
  drop: () => Promise<void>;
}

/** The test projection's table, as a migration beside the processor's own. */
const totalsMigration: SchemaMigration = {
  name: 'EventProcessorTestTotals1795996800950',
  up: (schema) => `CREATE TABLE "${schema}".totals (subject text PRIMARY KEY, events int NOT NULL, amount bigint NOT NULL, last_version bigint NOT NULL)`,
};

async function fixture(): Promise<Fixture> {
  const { pool, schema, drop } = await scratchSchema('proc', [...processorMigrations, totalsMigration]);
  const topic = uniqueName('it-proc');
  await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
  const projection = new SampleTotals(schema, [topic]);
  const runner = projectionProcessor(pool, kafka, projection, { schema, maxBatchSize: 50 });
  return { pool, schema, topic, projection, runner, published: [], versions: new Map(), drop };
}

/** What the outbox relay publishes: envelopes keyed by subject, stream versions counting up per stream. */
async function record(f: Fixture, subjects: number, perSubject: number, amount = (s: number, n: number) => s * 100 + n): Promise<string[]> {
  const messages: Fixture['published'] = [];
  for (let s = 0; s < subjects; s++) {
    const streamId = `sample-${s}`;
    for (let i = 0; i < perSubject; i++) {
      const version = (f.versions.get(streamId) ?? 0n) + 1n;
      f.versions.set(streamId, version);
      const eventId = randomUUID();
      const envelope = create(EventEnvelopeSchema, {
        eventId,
        eventType: 'crm.testing.v1.SampleRecorded',
        payloadType: 'crm.testing.v1.SampleRecorded',
        streamId,
        streamVersion: version,
        subjectId: `subject-${s}`,
        payload: Buffer.from(JSON.stringify({ amount: amount(s, Number(version)) })),
      });
      messages.push({ key: `subject-${s}`, value: toBinary(EventEnvelopeSchema, envelope), eventId });
    }
  }
  await kafka.publish(f.topic, messages);
  f.published.push(...messages);
  return messages.map((message) => message.eventId);
}

async function snapshot(f: Fixture): Promise<unknown[]> {
  return (await f.pool.query(`SELECT subject, events, amount::text, last_version::text FROM "${f.schema}".totals ORDER BY subject`)).rows;
}

async function caughtUp(processor: EventProcessor): Promise<void> {
  await expectEventually(async () => expect(await processor.caughtUp()).toBe(true), { timeoutMs: 60_000, intervalMs: 100 });
}

async function forgetKafkaOffsets(f: Fixture, generation: number): Promise<void> {
  await f.pool.query(`INSERT INTO "${f.schema}".processor_groups VALUES ($1, $2) ON CONFLICT (processor) DO UPDATE SET generation = $2`, [
    f.projection.name,
    generation,
  ]);
}

async function deadLetters(topic: string, count: number) {
  const letters = await kafka.readFromStart(deadLetterTopic(topic), (seen) => seen.length >= count, { groupId: uniqueName('dlq-reader'), timeoutMs: 20_000 });
  return letters.map((letter) => fromBinary(DeadLetterSchema, letter.value));
}

afterAll(() => kafka.close());

describe('a projector on the real servers', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.runner.stop();
    await f.drop();
  });

  it('given the same events delivered twice (republished and redelivered), then the read model ends identical', async () => {
    await record(f, 5, 8);
    await f.runner.start();
    await caughtUp(f.runner);
    const live = await snapshot(f);
    expect(live).toHaveLength(5);
    expect(f.projection.applied).toBe(40);

    // A relay that crashed after publishing republishes: same events, new offsets.
    await kafka.publish(f.topic, f.published);
    await caughtUp(f.runner);
    expect(await snapshot(f)).toEqual(live);

    // Kafka forgets the consumer's offsets: the same offsets are delivered again from the start.
    await f.runner.stop();
    await forgetKafkaOffsets(f, 7);
    await f.runner.start();
    await caughtUp(f.runner);
    expect(await snapshot(f)).toEqual(live);
    expect(f.projection.applied).toBe(40);
  });

  it('given a processor stopped while a batch keeps failing and restarted from offset 0, then every event is applied exactly once', async () => {
    // Committed batches first: their redelivery later must change nothing.
    await record(f, 3, 2);
    await f.runner.start();
    await caughtUp(f.runner);
    // Then a batch whose writes are made and then fail, again and again: it never commits, like a process killed
    // mid-batch.
    f.projection.flaky.set('sample-1@4', Number.MAX_SAFE_INTEGER);
    await record(f, 3, 2);
    await expectEventually(() => expect(f.projection.flaky.get('sample-1@4')).toBeLessThan(Number.MAX_SAFE_INTEGER - 1), { timeoutMs: 30_000 });
    await f.runner.stop();
    expect(await f.runner.caughtUp()).toBe(false);

    f.projection.flaky.delete('sample-1@4');
    await forgetKafkaOffsets(f, 3);
    await f.runner.start();
    await caughtUp(f.runner);

    const totals = (await snapshot(f)) as Array<{ subject: string; events: number; last_version: string }>;
    expect(totals.map((row) => [row.subject, row.events, row.last_version])).toEqual([
      ['subject-0', 4, '4'],
      ['subject-1', 4, '4'],
      ['subject-2', 4, '4'],
    ]);
  });

  it('given a rebuild from offset 0, then the rebuilt read model equals the live one', async () => {
    await record(f, 4, 6);
    await f.runner.start();
    await record(f, 4, 3);
    await caughtUp(f.runner);
    const live = await snapshot(f);
    const appliedLive = f.projection.applied;

    await f.runner.rebuild();
    await caughtUp(f.runner);

    expect(await snapshot(f)).toEqual(live);
    expect(f.projection.applied).toBe(appliedLive * 2);
  });

  it('given a message that does not decode, an event of a type no schema is registered for and an event the projection rejects, then all reach the dead-letter topic with their codes and the rest flows on', async () => {
    const [rejected] = await record(f, 1, 1, () => 1_000);
    f.projection.poison.add(rejected!);
    const unknown = create(EventEnvelopeSchema, {
      eventId: randomUUID(),
      eventType: 'crm.nowhere.v1.Unknown',
      payloadType: 'crm.nowhere.v1.Unknown',
      streamId: 'sample-0',
      streamVersion: 99n,
      subjectId: 'subject-0',
      payload: Buffer.from(JSON.stringify({ amount: 5 })),
    });
    await kafka.publish(f.topic, [
      { key: 'subject-0', value: Buffer.from('definitely not a protobuf envelope') },
      { key: 'subject-0', value: toBinary(EventEnvelopeSchema, unknown) },
    ]);
    await record(f, 3, 4);
    await f.runner.start();
    await caughtUp(f.runner);

    const totals = (await snapshot(f)) as Array<{ subject: string; events: number }>;
    expect(totals.map((row) => [row.subject, row.events])).toEqual([
      ['subject-0', 4],
      ['subject-1', 4],
      ['subject-2', 4],
    ]);
    const decoded = await deadLetters(f.topic, 3);
    expect(decoded.map((letter) => letter.errorCode).sort()).toEqual(['EVENT_DECODE_FAILED', 'EVENT_PAYLOAD_TYPE_UNKNOWN', 'SAMPLE_REJECTED']);
    expect(decoded.find((letter) => letter.errorCode === 'EVENT_DECODE_FAILED')).toMatchObject({
      originalTopic: f.topic,
      consumerGroup: f.projection.name,
      originalValue: new Uint8Array(Buffer.from('definitely not a protobuf envelope')),
    });
  });

  it('given several records near the size limit that do not decode, read in one batch, then each reaches the dead-letter topic and the rest flows on', async () => {
    // Together they exceed what one produce request may carry: dead letters sent as one request were refused for good.
    const large = Array.from({ length: 3 }, (_, i) => Buffer.concat([Buffer.from([0xff, i]), randomBytes(700 * 1024)]));
    for (const value of large) await kafka.publish(f.topic, [{ key: 'subject-0', value }]);
    await record(f, 3, 2);
    await f.runner.start();
    await caughtUp(f.runner);

    const totals = (await snapshot(f)) as Array<{ subject: string; events: number }>;
    expect(totals.map((row) => [row.subject, row.events])).toEqual([
      ['subject-0', 2],
      ['subject-1', 2],
      ['subject-2', 2],
    ]);
    const decoded = await deadLetters(f.topic, 3);
    expect(decoded.map((letter) => [letter.errorCode, letter.originalValue.length])).toEqual(large.map((value) => ['EVENT_DECODE_FAILED', value.length]));
  });

  it('given a retriable failure, then the batch is retried with backoff and the event is applied exactly once', async () => {
    const ids = await record(f, 2, 3);
    f.projection.flaky.set(ids[1]!, 2);
    await f.runner.start();
    await caughtUp(f.runner);

    expect(f.projection.flaky.get(ids[1]!)).toBe(0);
    // Three events per subject, not four: the failed attempts rolled back with their transaction.
    expect(((await snapshot(f)) as Array<{ events: number }>).map((row) => row.events)).toEqual([3, 3]);
  });
});

describe('a reactor on the real servers', () => {
  let f: Fixture;
  const running: EventProcessor[] = [];
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((processor) => processor.stop()));
    await f.drop();
  });

  function reactor(group: string, effect: (event: ProcessedEvent) => void): EventProcessor {
    const processor = new EventProcessor(
      f.pool,
      kafka,
      async (events) => {
        for (const event of events as ProcessedEvent[]) effect(event);
      },
      { role: 'reactor', name: `mailer-${f.schema}`, group, topics: [f.topic], idempotency: 'record', schema: f.schema, maxBatchSize: 10 },
    );
    running.push(processor);
    return processor;
  }

  it('given the same events republished and redelivered from offset 0, then its effect runs once per event id', async () => {
    const ids = await record(f, 3, 5);
    const effects: string[] = [];
    await reactor(uniqueName('mailer'), (event) => effects.push(event.envelope.eventId)).start();
    await expectEventually(() => expect(effects).toHaveLength(15), { timeoutMs: 30_000 });

    await kafka.publish(f.topic, f.published);
    await running.pop()!.stop();
    // A new group (offsets forgotten) reads everything again: twice the published events, none new.
    const again = reactor(uniqueName('mailer'), (event) => effects.push(event.envelope.eventId));
    const seen: string[] = [];
    await record(f, 1, 1).then((last) => seen.push(...last));
    await again.start();
    await expectEventually(() => expect(effects).toContain(seen[0]), { timeoutMs: 30_000 });

    expect([...effects].sort()).toEqual([...ids, ...seen].sort());
  });

  it('given an event whose effect fails for good, then it reaches the dead-letter topic with its code and the next events still run', async () => {
    const ids = await record(f, 2, 3);
    const effects: string[] = [];
    await reactor(uniqueName('mailer'), (event) => {
      if (event.envelope.eventId === ids[2]) throw new AppError('MAIL_REJECTED', 'invalid', 'the mail server refuses this address');
      effects.push(event.envelope.eventId);
    }).start();

    await expectEventually(() => expect([...effects].sort()).toEqual(ids.filter((id) => id !== ids[2]).sort()), { timeoutMs: 30_000 });
    const [letter] = await deadLetters(f.topic, 1);
    expect(letter).toMatchObject({ errorCode: 'MAIL_REJECTED', originalTopic: f.topic, consumerGroup: `mailer-${f.schema}` });
    expect(fromBinary(EventEnvelopeSchema, letter!.originalValue).eventId).toBe(ids[2]);
  });
});
