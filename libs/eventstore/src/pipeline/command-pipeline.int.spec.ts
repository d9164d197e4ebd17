import type { SchemaMigration } from '@crm/postgres';
import { scratchSchema } from '@crm/testing';
import type pg from 'pg';
import type { Decider } from '../decider/decider.js';
import { StreamVersionConflict } from '../store/event-store.errors.js';
import { EventStore } from '../store/event-store.js';
import { eventStoreMigrations } from '../store/event-store.schema.js';
import { CommandPipeline, foldStream } from './command-pipeline.js';
import type { EventCodec, StateChange, WriteModel } from './write-model.js';
import { sampleMetadata } from '../testing-fixtures.js';

// A tally: the smallest domain whose decisions depend on the state (a cap), so a decision on a stale state is wrong.
type TallyCommand = { type: 'Add'; tally: string; amount: number } | { type: 'Touch'; tally: string };
type TallyEvent = { type: 'Added'; amount: number };
interface TallyState {
  total: number;
}
const CAP = 1_000;

const tallyDecider = (calls: { decide: number }): Decider<TallyCommand, TallyState, TallyEvent> => ({
  initialState: () => ({ total: 0 }),
  decide(command, state) {
    calls.decide++;
    if (command.type === 'Touch') return [];
    if (state.total + command.amount > CAP) throw new Error('TALLY_CAP_EXCEEDED');
    return [{ type: 'Added', amount: command.amount }];
  },
  evolve: (state, event) => ({ total: state.total + event.amount }),
});

const codec: EventCodec<TallyEvent> = {
  encode: async (event) => ({
    type: 'crm.testing.v1.Added',
    payloadType: 'crm.testing.v1.Added',
    payload: Buffer.from(JSON.stringify(event)),
    subjectId: 'tally-subject',
  }),
  decode: async (envelope) => JSON.parse(Buffer.from(envelope.payload).toString()) as TallyEvent,
};

/** The test's read model, as a migration beside the event store's. */
const talliesMigration: SchemaMigration = {
  name: 'CommandPipelineTestTallies1795996800950',
  up: (schema) => `CREATE TABLE "${schema}".tallies (tally text PRIMARY KEY, total int NOT NULL, version bigint NOT NULL)`,
};

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;
let store: EventStore;

beforeAll(async () => {
  ({ pool, schema, drop } = await scratchSchema('pipeline', [...eventStoreMigrations, talliesMigration]));
  store = new EventStore(pool, { schema, topic: 'crm.testing.v1.events' });
});
afterAll(() => drop());

function foldedModel(calls = { decide: 0 }, save?: WriteModel<TallyCommand, TallyState, TallyEvent>['save']): WriteModel<TallyCommand, TallyState, TallyEvent> {
  const decider = tallyDecider(calls);
  return { decider, codec, streamOf: (command) => `tally-${command.tally}`, load: foldStream(store, decider, codec), ...(save === undefined ? {} : { save }) };
}

const outboxRows = async (streamId: string) =>
  Number(
    (
      await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${schema}".outbox o JOIN "${schema}".events e USING (event_id) WHERE e.stream_id = $1`,
        [streamId],
      )
    ).rows[0]?.n,
  );

describe('the command pipeline', () => {
  it('given two writers that both loaded the same version, then the loser decides again on the new state and both writes land once, in order', async () => {
    const calls = { decide: 0 };
    const decider = tallyDecider(calls);
    const load = foldStream(store, decider, codec);
    // Both first loads finish before either appends: a real conflict, every time.
    let arrived = 0;
    let release!: () => void;
    const bothLoaded = new Promise<void>((resolve) => (release = resolve));
    const racing: WriteModel<TallyCommand, TallyState, TallyEvent> = {
      decider,
      codec,
      streamOf: (command) => `tally-${command.tally}`,
      load: async (tx, command, streamId) => {
        const loaded = await load(tx, command, streamId);
        if (++arrived === 2) release();
        if (arrived <= 2) await bothLoaded;
        return loaded;
      },
    };
    // Two pipelines stand for two service instances: separate transactions.
    const [first, second] = await Promise.all([
      new CommandPipeline(pool, store).execute(racing, { type: 'Add', tally: 'race', amount: 5 }, sampleMetadata()),
      new CommandPipeline(pool, store).execute(racing, { type: 'Add', tally: 'race', amount: 7 }, sampleMetadata()),
    ]);

    expect((await store.readStream('tally-race')).map((event) => event.streamVersion)).toEqual([1n, 2n]);
    expect([first.version, second.version].sort()).toEqual([1n, 2n]);
    expect(Math.max(first.state.total, second.state.total)).toBe(12);
    expect(calls.decide).toBe(3);
  });

  it('given many concurrent commands, then they commit in groups (fewer transactions than commands) and each lands once', async () => {
    const pipeline = new CommandPipeline(pool, store);
    const model = foldedModel();

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, n) => pipeline.execute(model, { type: 'Add', tally: `group-${n}`, amount: n + 1 }, sampleMetadata())),
    );

    const { rows } = await pool.query<{ streams: number; transactions: number }>(
      `SELECT count(DISTINCT stream_id)::int AS streams, count(DISTINCT tx_id::text)::int AS transactions FROM "${schema}".events WHERE stream_id LIKE 'tally-group-%'`,
    );
    expect(outcomes.map((outcome) => outcome.state.total)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect(rows[0]?.streams).toBe(20);
    expect(rows[0]?.transactions).toBeLessThanOrEqual(3);
  });

  it('given commands on one stream arriving together, then they commit in arrival order, each deciding on what the earlier ones left', async () => {
    // Several groups may commit at once; a stream's next command still waits for the group holding the stream.
    const pipeline = new CommandPipeline(pool, store, { maxConcurrentGroups: 4 });
    const model = foldedModel();

    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        pipeline.execute(model, { type: 'Add', tally: n % 2 === 0 ? 'queue-even' : 'queue-odd', amount: n + 1 }, sampleMetadata()),
      ),
    );

    // even: 1, 3, 5 → totals 1, 4, 9; odd: 2, 4, 6 → totals 2, 6, 12.
    expect(outcomes.map((outcome) => [outcome.version, outcome.state.total])).toEqual([
      [1n, 1],
      [1n, 2],
      [2n, 4],
      [2n, 6],
      [3n, 9],
      [3n, 12],
    ]);
    expect((await store.readStream('tally-queue-even')).map((event) => event.streamVersion)).toEqual([1n, 2n, 3n]);
  });

  it('given a model that loads and saves set-wise, then a group costs one loadMany and one saveMany, and the rows equal the fold', async () => {
    const pipeline = new CommandPipeline(pool, store);
    const decider = tallyDecider({ decide: 0 });
    const calls = { load: 0, loadMany: 0, saveMany: 0, save: 0 };
    const upsert = (tx: pg.PoolClient, changes: ReadonlyArray<StateChange<TallyCommand, TallyState, TallyEvent>>) =>
      tx.query(
        `INSERT INTO "${schema}".tallies SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
         ON CONFLICT (tally) DO UPDATE SET total = EXCLUDED.total, version = EXCLUDED.version`,
        [changes.map((change) => change.command.tally), changes.map((change) => change.state.total), changes.map((change) => change.version.toString())],
      );
    const setWise: WriteModel<TallyCommand, TallyState, TallyEvent> = {
      decider,
      codec,
      streamOf: (command) => `tally-${command.tally}`,
      load: async (tx, command) => {
        calls.load++;
        const { rows } = await tx.query<{ total: number; version: string }>(
          `SELECT total, version::text FROM "${schema}".tallies WHERE tally = $1 FOR UPDATE`,
          [command.tally],
        );
        return rows[0] === undefined ? { state: { total: 0 }, version: 0n } : { state: { total: rows[0].total }, version: BigInt(rows[0].version) };
      },
      loadMany: async (tx, commands) => {
        calls.loadMany++;
        const { rows } = await tx.query<{ tally: string; total: number; version: string }>(
          `SELECT tally, total, version::text FROM "${schema}".tallies WHERE tally = ANY($1) ORDER BY tally FOR UPDATE`,
          [commands.map((command) => command.tally)],
        );
        const found = new Map(rows.map((row) => [row.tally, row]));
        return commands.map((command) => {
          const row = found.get(command.tally);
          return row === undefined ? { state: { total: 0 }, version: 0n } : { state: { total: row.total }, version: BigInt(row.version) };
        });
      },
      save: async (tx, change) => {
        calls.save++;
        await upsert(tx, [change]);
      },
      saveMany: async (tx, changes) => {
        calls.saveMany++;
        await upsert(tx, changes);
      },
    };
    const tallies = Array.from({ length: 12 }, (_, n) => `set-${n}`);
    await Promise.all(tallies.map((tally) => pipeline.execute(setWise, { type: 'Add', tally, amount: 2 }, sampleMetadata())));

    const outcomes = await Promise.all(tallies.map((tally) => pipeline.execute(setWise, { type: 'Add', tally, amount: 3 }, sampleMetadata())));

    const { rows } = await pool.query<{ transactions: number }>(
      `SELECT count(DISTINCT tx_id::text)::int AS transactions FROM "${schema}".events WHERE stream_id LIKE 'tally-set-%'`,
    );
    const transactions = rows[0]!.transactions;
    expect(outcomes.map((outcome) => [outcome.version, outcome.state.total])).toEqual(tallies.map(() => [2n, 5]));
    // Lone commands (a group of one) take the single path; every group of more takes exactly one of each.
    expect(calls.loadMany + calls.load).toBe(transactions);
    expect(calls.saveMany + calls.save).toBe(transactions);
    expect(calls.loadMany).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(2 * tallies.length);
    for (const tally of tallies) {
      const folded = (await store.readStream(`tally-${tally}`)).length;
      const row = (await pool.query<{ total: number; version: string }>(`SELECT total, version::text FROM "${schema}".tallies WHERE tally = $1`, [tally]))
        .rows[0];
      expect({ total: row?.total, version: row?.version }).toEqual({ total: 5, version: String(folded) });
    }
  });

  it('given a group where one command is refused by its decider and one fails in the database, then only those two fail and the rest commit once', async () => {
    const pipeline = new CommandPipeline(pool, store);
    const failing = foldedModel(undefined, async (tx, change) => {
      if (change.command.tally === 'group-bad-sql') await tx.query('SELECT * FROM no_such_table');
    });

    const outcomes = await Promise.allSettled([
      pipeline.execute(failing, { type: 'Add', tally: 'group-ok-1', amount: 1 }, sampleMetadata()),
      pipeline.execute(failing, { type: 'Add', tally: 'group-ok-2', amount: 1 }, sampleMetadata()),
      pipeline.execute(failing, { type: 'Add', tally: 'group-ok-3', amount: 1 }, sampleMetadata()),
      pipeline.execute(failing, { type: 'Add', tally: 'group-capped', amount: CAP + 1 }, sampleMetadata()),
      pipeline.execute(failing, { type: 'Add', tally: 'group-bad-sql', amount: 1 }, sampleMetadata()),
      pipeline.execute(failing, { type: 'Add', tally: 'group-ok-4', amount: 1 }, sampleMetadata()),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toContain('TALLY_CAP_EXCEEDED');
    expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ code: '42P01' });
    for (const tally of ['group-ok-1', 'group-ok-2', 'group-ok-3', 'group-ok-4']) expect(await store.readStream(`tally-${tally}`)).toHaveLength(1);
    expect(await store.readStream('tally-group-capped')).toEqual([]);
    expect(await store.readStream('tally-group-bad-sql')).toEqual([]);
  });

  it('given a stale expected version (If-Match), then it refuses with STREAM_VERSION_CONFLICT without deciding or retrying', async () => {
    const calls = { decide: 0 };
    const pipeline = new CommandPipeline(pool, store);
    await pipeline.execute(foldedModel(), { type: 'Add', tally: 'stale', amount: 1 }, sampleMetadata());
    await pipeline.execute(foldedModel(), { type: 'Add', tally: 'stale', amount: 1 }, sampleMetadata());

    const attempt = pipeline.execute(foldedModel(calls), { type: 'Add', tally: 'stale', amount: 1 }, sampleMetadata(), { expectedVersion: 1n });

    await expect(attempt).rejects.toBeInstanceOf(StreamVersionConflict);
    await expect(attempt).rejects.toMatchObject({ code: 'STREAM_VERSION_CONFLICT' });
    expect(calls.decide).toBe(0);
    expect(await store.readStream('tally-stale')).toHaveLength(2);
  });

  it('given a command that decides nothing, then nothing is appended and the version stays', async () => {
    const pipeline = new CommandPipeline(pool, store);
    await pipeline.execute(foldedModel(), { type: 'Add', tally: 'quiet', amount: 3 }, sampleMetadata());

    const outcome = await pipeline.execute(foldedModel(), { type: 'Touch', tally: 'quiet' }, sampleMetadata());

    expect(outcome).toMatchObject({ version: 1n, events: [], eventIds: [], state: { total: 3 } });
    expect(await store.readStream('tally-quiet')).toHaveLength(1);
  });

  it('given state rows, then they are written with the events in one transaction, and a failing save stores no event and no outbox row', async () => {
    const pipeline = new CommandPipeline(pool, store, { clock: () => new Date('2026-11-30T12:00:00Z') });
    const saved: Date[] = [];
    const saving = foldedModel(undefined, async (tx, change) => {
      saved.push(change.at);
      await tx.query(
        `INSERT INTO "${schema}".tallies VALUES ($1, $2, $3) ON CONFLICT (tally) DO UPDATE SET total = EXCLUDED.total, version = EXCLUDED.version`,
        [change.command.tally, change.state.total, change.version.toString()],
      );
    });
    await pipeline.execute(saving, { type: 'Add', tally: 'rows', amount: 7 }, sampleMetadata());
    const failing = foldedModel(undefined, async (tx) => {
      await tx.query(`UPDATE "${schema}".tallies SET total = -1 WHERE tally = 'rows'`);
      throw new Error('READ_MODEL_WRITE_FAILED');
    });

    await expect(pipeline.execute(failing, { type: 'Add', tally: 'rows', amount: 7 }, sampleMetadata())).rejects.toThrow('READ_MODEL_WRITE_FAILED');

    expect((await pool.query(`SELECT total, version::text FROM "${schema}".tallies WHERE tally = 'rows'`)).rows).toEqual([{ total: 7, version: '1' }]);
    expect(await store.readStream('tally-rows')).toHaveLength(1);
    expect(await outboxRows('tally-rows')).toBe(1);
    expect(saved).toEqual([new Date('2026-11-30T12:00:00Z')]);
  });

  it('given a batch (executeAll) whose last command fails, then none of it is stored', async () => {
    const pipeline = new CommandPipeline(pool, store);
    const commands: TallyCommand[] = [
      { type: 'Add', tally: 'batch-a', amount: 1 },
      { type: 'Add', tally: 'batch-b', amount: 2 },
      { type: 'Add', tally: 'batch-a', amount: CAP },
    ];

    await expect(pipeline.executeAll(foldedModel(), commands, sampleMetadata())).rejects.toThrow('TALLY_CAP_EXCEEDED');

    expect(await store.readStream('tally-batch-a')).toEqual([]);
    expect(await store.readStream('tally-batch-b')).toEqual([]);
  });

  it('given a batch (executeAll), then each command decides on what the earlier ones left', async () => {
    const pipeline = new CommandPipeline(pool, store);

    const outcomes = await pipeline.executeAll(
      foldedModel(),
      [
        { type: 'Add', tally: 'batch-c', amount: 1 },
        { type: 'Add', tally: 'batch-c', amount: 2 },
      ],
      sampleMetadata(),
    );

    expect(outcomes.map((outcome) => [outcome.version, outcome.state.total])).toEqual([
      [1n, 1],
      [2n, 3],
    ]);
  });
});
