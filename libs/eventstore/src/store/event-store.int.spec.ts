import { ActorType, LegalBasis } from '@crm/contracts';
import { expectEventually, migrateScratchSchema, scratchSchema } from '@crm/testing';
import type pg from 'pg';
import { EventStore, eventStoreMigrations, START, StreamVersionConflict, type NewEvent } from '../index.js';
import { sampleMetadata } from '../testing-fixtures.js';

const event = (n: number, subjectId = 'subject-1'): NewEvent => ({
  type: 'crm.testing.v1.SampleRecorded',
  payloadType: 'crm.testing.v1.SampleRecorded',
  payload: Buffer.from(`payload-${n}`),
  subjectId,
});

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;
let store: EventStore;

beforeAll(async () => {
  ({ pool, schema, drop } = await scratchSchema('es', eventStoreMigrations));
  expect(await migrateScratchSchema(schema, eventStoreMigrations)).toEqual([]); // applied once, recorded
  store = new EventStore(pool, { schema, topic: 'crm.testing.v1.events', clock: () => new Date('2026-01-02T03:04:05Z') });
});
afterAll(() => drop());

describe('the event store on Postgres', () => {
  it('given a new stream, when events are appended, then they read back in order with their envelope', async () => {
    const result = await store.append('sample-a', 'no_stream', [event(1), event(2)], sampleMetadata('corr-1'));

    const events = await store.readStream('sample-a');

    expect(result.nextExpectedVersion).toBe(2n);
    expect(events.map((e) => [e.streamVersion, Buffer.from(e.envelope.payload).toString()])).toEqual([
      [1n, 'payload-1'],
      [2n, 'payload-2'],
    ]);
    expect(events[0]?.envelope).toMatchObject({
      eventId: result.eventIds[0],
      eventType: 'crm.testing.v1.SampleRecorded',
      streamId: 'sample-a',
      subjectId: 'subject-1',
      actor: { id: 'user-42', type: ActorType.USER },
      purpose: 'customer-service',
      legalBasis: LegalBasis.CONTRACT,
      correlationId: 'corr-1',
      schemaVersion: 1,
    });
    expect(events[0]?.envelope.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('given more than nine events, then the stream reads back in numeric version order (not text order)', async () => {
    await store.append(
      'sample-long',
      'no_stream',
      Array.from({ length: 12 }, (_, i) => event(i + 1)),
      sampleMetadata(),
    );

    const versions = (await store.readStream('sample-long')).map((e) => e.streamVersion);

    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
  });

  it('given two writers at the same expected version, then exactly one wins and the other gets a retriable conflict', async () => {
    await store.append('sample-b', 'no_stream', [event(1)], sampleMetadata());

    const outcomes = await Promise.allSettled([
      store.append('sample-b', 1n, [event(2)], sampleMetadata()),
      store.append('sample-b', 1n, [event(3)], sampleMetadata()),
    ]);

    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason as StreamVersionConflict;
    expect(error).toBeInstanceOf(StreamVersionConflict);
    expect(error).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', retriable: true, kind: 'conflict' });
    expect((await store.readStream('sample-b')).map((e) => e.streamVersion)).toEqual([1n, 2n]);
  });

  it('given a stale expected version or an existing stream for no_stream, then the append is refused', async () => {
    await store.append('sample-c', 'no_stream', [event(1)], sampleMetadata());
    await expect(store.append('sample-c', 'no_stream', [event(2)], sampleMetadata())).rejects.toBeInstanceOf(StreamVersionConflict);
    await expect(store.append('sample-c', 5n, [event(2)], sampleMetadata())).rejects.toBeInstanceOf(StreamVersionConflict);
  });

  it('given a multi-stream append where one stream moved on, then nothing of it is written and the conflict names that stream', async () => {
    await store.append('many-b', 'no_stream', [event(1)], sampleMetadata());
    const client = await pool.connect();
    try {
      const appendBoth = (expectedB: bigint) =>
        store.appendMany(
          [
            { streamId: 'many-a', expected: 0n, events: [event(1), event(2)], metadata: sampleMetadata() },
            { streamId: 'many-b', expected: expectedB, events: [event(3)], metadata: sampleMetadata() },
          ],
          client,
        );

      await expect(appendBoth(0n)).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT', details: { streamId: 'many-b' } });
      expect(await store.readStream('many-a')).toEqual([]);

      const results = await appendBoth(1n);
      expect(results.map((result) => [result.streamId, result.nextExpectedVersion, result.eventIds.length])).toEqual([
        ['many-a', 2n, 2],
        ['many-b', 2n, 1],
      ]);
    } finally {
      client.release();
    }
    expect((await store.readStream('many-a')).map((e) => [e.streamVersion, e.envelope.eventId])).toEqual([
      [1n, expect.any(String)],
      [2n, expect.any(String)],
    ]);
    expect((await store.readStream('many-b')).map((e) => e.streamVersion)).toEqual([1n, 2n]);
    const outbox = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".outbox o JOIN "${schema}".events e USING (event_id) WHERE e.stream_id = 'many-a'`,
    );
    expect(outbox.rows[0].n).toBe(2);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on events at the database level', async () => {
    await store.append('sample-d', 'no_stream', [event(1)], sampleMetadata());
    await expect(pool.query(`UPDATE "${schema}".events SET event_type = 'x'`)).rejects.toThrow(/events are immutable: UPDATE refused/);
    await expect(pool.query(`DELETE FROM "${schema}".events`)).rejects.toThrow(/events are immutable: DELETE refused/);
    await expect(pool.query(`TRUNCATE "${schema}".events`)).rejects.toThrow(/events are immutable: TRUNCATE refused/);
  });

  it('writes the outbox in the same transaction: a rolled-back decision leaves neither event nor outbox row', async () => {
    const before = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await store.append('sample-e', 'no_stream', [event(1)], sampleMetadata(), client);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.readStream('sample-e')).toEqual([]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`)).rows[0].n).toBe(before.rows[0].n);

    const { eventIds } = await store.append('sample-e', 'no_stream', [event(1, 'subject-e')], sampleMetadata());
    const { rows } = await pool.query(`SELECT topic, message_key, event_type FROM "${schema}".outbox WHERE event_id = $1`, [eventIds[0]]);
    expect(rows).toEqual([{ topic: 'crm.testing.v1.events', message_key: 'subject-e', event_type: 'crm.testing.v1.SampleRecorded' }]);
  });

  it('never lets readAll skip an event whose transaction commits after a later one', async () => {
    const start = (await store.readAll(START, 10_000)).at(-1) ?? START;
    // Only this test's streams: events of earlier tests may still surface here, held back by the same horizon.
    const ours = (events: Array<{ streamId: string }>) => events.map((e) => e.streamId).filter((id) => id === 'sample-slow' || id === 'sample-fast');
    const slow = await pool.connect();
    try {
      await slow.query('BEGIN');
      await store.append('sample-slow', 'no_stream', [event(1)], sampleMetadata(), slow);
      await store.append('sample-fast', 'no_stream', [event(1)], sampleMetadata());

      // The fast transaction committed, but the slow one, older, is still open: nothing after it is visible yet.
      expect(ours(await store.readAll(start))).toEqual([]);

      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    // Another client's transaction still open (parallel suites share the server) holds the horizon back a moment.
    const after = await expectEventually(async () => {
      const read = await store.readAll(start);
      expect(ours(read)).toEqual(['sample-slow', 'sample-fast']);
      return read;
    });
    expect(ours(await store.readAll(after.at(-1)!))).toEqual([]);
  });
});
