import type pg from 'pg';
import { DeadLetterSchema, fromBinary } from '@crm/contracts';
import { AppError } from '@crm/http';
import { KafkaCluster } from '@crm/messaging';
import type { SchemaMigration } from '@crm/postgres';
import { expectEventually, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { deadLetterTopic, EventStore, eventStoreMigrations, OutboxRelay, projectionCheckpointMigrations, ProjectionRunner, type Projection, type ProjectedEvent } from '../index.js';
import { sampleMetadata } from '../testing-fixtures.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, clientId: 'projection-int-test' });

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
    const failuresLeft = this.flaky.get(envelope.eventId) ?? 0;
    if (failuresLeft > 0) {
      this.flaky.set(envelope.eventId, failuresLeft - 1);
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    }
    const { amount } = JSON.parse(Buffer.from(envelope.payload).toString()) as { amount: number };
    await tx.query(
      `INSERT INTO "${this.schema}".totals VALUES ($1, 1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET events = totals.events + 1, amount = totals.amount + $2, last_version = $3`,
      [envelope.subjectId, amount, envelope.streamVersion.toString()],
    );
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
  store: EventStore;
  relay: OutboxRelay;
  projection: SampleTotals;
  runner: ProjectionRunner;
  drop: () => Promise<void>;
}

/** The test projection's table, as a migration beside the libs' own. */
const totalsMigration: SchemaMigration = {
  name: 'ProjectionRunnerTestTotals1795996800950',
  up: (schema) => `CREATE TABLE "${schema}".totals (subject text PRIMARY KEY, events int NOT NULL, amount bigint NOT NULL, last_version bigint NOT NULL)`,
};

async function fixture(): Promise<Fixture> {
  const { pool, schema, drop } = await scratchSchema('proj', [...eventStoreMigrations, ...projectionCheckpointMigrations, totalsMigration]);
  const topic = uniqueName('it-proj');
  await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
  const store = new EventStore(pool, { schema, topic });
  const projection = new SampleTotals(schema, [topic]);
  const runner = new ProjectionRunner(pool, kafka, projection, { schema, maxBatchSize: 50 });
  const relay = new OutboxRelay(pool, kafka, { schema });
  return { pool, schema, topic, store, relay, projection, runner, drop };
}

async function record(f: Fixture, subjects: number, perSubject: number, amount = (s: number, n: number) => s * 100 + n): Promise<string[]> {
  const ids: string[] = [];
  for (let s = 0; s < subjects; s++) {
    const current = (await f.store.readStream(`sample-${s}`)).length;
    const events = Array.from({ length: perSubject }, (_, i) => ({
      type: 'crm.testing.v1.SampleRecorded',
      payloadType: 'crm.testing.v1.SampleRecorded',
      payload: Buffer.from(JSON.stringify({ amount: amount(s, current + i + 1) })),
      subjectId: `subject-${s}`,
    }));
    const result = await f.store.append(`sample-${s}`, current === 0 ? 'no_stream' : BigInt(current), events, sampleMetadata());
    ids.push(...result.eventIds);
  }
  await f.relay.drain();
  return ids;
}

async function snapshot(f: Fixture): Promise<unknown[]> {
  return (await f.pool.query(`SELECT subject, events, amount::text, last_version::text FROM "${f.schema}".totals ORDER BY subject`)).rows;
}

async function caughtUp(f: Fixture): Promise<void> {
  await expectEventually(async () => expect(await f.runner.caughtUp()).toBe(true), { timeoutMs: 60_000, intervalMs: 100 });
}

afterAll(() => kafka.close());

describe('a projection runner on the real servers', () => {
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
    await caughtUp(f);
    const live = await snapshot(f);
    expect(live).toHaveLength(5);
    expect(f.projection.applied).toBe(40);

    // A relay that crashed after publishing republishes: same events, new offsets.
    const { rows } = await f.pool.query<{ subject_id: string; envelope: Buffer }>(`SELECT subject_id, envelope FROM "${f.schema}".events ORDER BY global_position`);
    await kafka.publish(f.topic, rows.map((row) => ({ key: row.subject_id, value: row.envelope })));
    await caughtUp(f);
    expect(await snapshot(f)).toEqual(live);

    // Kafka forgets the consumer's offsets: the same offsets are delivered again from the start.
    await f.runner.stop();
    await f.pool.query(`INSERT INTO "${f.schema}".projection_groups VALUES ($1, 7) ON CONFLICT (projection) DO UPDATE SET generation = 7`, [f.projection.name]);
    await f.runner.start();
    await caughtUp(f);
    expect(await snapshot(f)).toEqual(live);
    expect(f.projection.applied).toBe(40);
  });

  it('given a rebuild from offset 0, then the rebuilt read model equals the live one', async () => {
    await record(f, 4, 6);
    await f.runner.start();
    await record(f, 4, 3);
    await caughtUp(f);
    const live = await snapshot(f);
    const appliedLive = f.projection.applied;

    await f.runner.rebuild();
    await caughtUp(f);

    expect(await snapshot(f)).toEqual(live);
    expect(f.projection.applied).toBe(appliedLive * 2);
  });

  it('given a message that does not decode and an event the projection rejects, then both reach the dead-letter topic and the rest flows on', async () => {
    const [rejected] = await record(f, 1, 1, () => 1_000);
    f.projection.poison.add(rejected!);
    await kafka.publish(f.topic, [{ key: 'subject-0', value: Buffer.from('definitely not a protobuf envelope') }]);
    await record(f, 3, 4);
    await f.runner.start();
    await caughtUp(f);

    const totals = (await snapshot(f)) as Array<{ subject: string; events: number }>;
    expect(totals.map((row) => [row.subject, row.events])).toEqual([
      ['subject-0', 4],
      ['subject-1', 4],
      ['subject-2', 4],
    ]);
    const letters = await kafka.readFromStart(deadLetterTopic(f.topic), (seen) => seen.length >= 2, { groupId: uniqueName('dlq-reader'), timeoutMs: 20_000 });
    const decoded = letters.map((letter) => fromBinary(DeadLetterSchema, letter.value));
    expect(decoded.map((letter) => letter.errorCode).sort()).toEqual(['EVENT_DECODE_FAILED', 'SAMPLE_REJECTED']);
    expect(decoded.find((letter) => letter.errorCode === 'EVENT_DECODE_FAILED')).toMatchObject({
      originalTopic: f.topic,
      consumerGroup: f.projection.name,
      originalValue: new Uint8Array(Buffer.from('definitely not a protobuf envelope')),
    });
  });

  it('given a retriable failure, then the batch is retried with backoff and the event is applied exactly once', async () => {
    const ids = await record(f, 2, 3);
    f.projection.flaky.set(ids[1]!, 2);
    await f.runner.start();
    await caughtUp(f);

    expect(f.projection.flaky.get(ids[1]!)).toBe(0);
    // Three events per subject, not four: the failed attempts rolled back with their transaction.
    expect(((await snapshot(f)) as Array<{ events: number }>).map((row) => row.events)).toEqual([3, 3]);
  });
});
