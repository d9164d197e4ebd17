// A new migration applied to a database that already holds events and read-model rows loses nothing, is recorded,
// and is not applied twice; the baseline takes a schema created by the old boot-time DDL as it is.
import type pg from 'pg';
import { ActorType, LegalBasis } from '@crm/contracts';
import { CommandPipeline, EventStore, eventStoreMigrations, foldStream, type EventMetadata } from '@crm/eventstore';
import { processorMigrations } from '@crm/processing';
import type { SchemaMigration } from '@crm/postgres';
import {
  expectEventually,
  migrateScratchSchema,
  sampleLedger,
  type RecordSample,
  sampleLedgerCodec,
  SampleTotalsProjection,
  sampleTotalsMigrations,
  scratchSchema,
  testPlatformConfig,
  uniqueName,
} from '@crm/testing';
import { createPool, ensureDatabase, grantsToRole } from '@crm/postgres';
import { IrreversibleMigration, MIGRATIONS_TABLE, migrationDataSource, pendingMigrations, runMigrations } from './index.js';

const settings = testPlatformConfig().postgres!;
const baseline: readonly SchemaMigration[] = [...eventStoreMigrations, ...processorMigrations, ...sampleTotalsMigrations];
/** Only the first migration of each list: what reverting would have to undo first when nothing came after them. */
const baselinesOnly: readonly SchemaMigration[] = [eventStoreMigrations[0]!, ...processorMigrations, ...sampleTotalsMigrations];
/** TypeORM applies a plan's migrations in the order of the timestamp that ends each name. */
const applyOrder = (migrations: readonly SchemaMigration[]): string[] =>
  migrations.map((migration) => migration.name).sort((a, b) => Number(a.slice(-13)) - Number(b.slice(-13)));
const metadata: EventMetadata = {
  actor: { id: 'user-1', type: ActorType.USER },
  purpose: 'customer-service',
  legalBasis: LegalBasis.CONTRACT,
  correlationId: 'migrations-it',
};

/** The change under test: what a developer adds next — a nullable column on a read model and an index on the events. */
const addNoteAndIndex: SchemaMigration = {
  name: 'SampleTotalsNoteAndEventTypeIndex1796083200000',
  up: (schema) => `
    ALTER TABLE "${schema}".sample_totals ADD COLUMN note text;
    CREATE INDEX events_event_type ON "${schema}".events (event_type);`,
  down: (schema) => `
    DROP INDEX "${schema}".events_event_type;
    ALTER TABLE "${schema}".sample_totals DROP COLUMN note;`,
};

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;

afterEach(() => drop());

/** One sample through the platform's write path (command pipeline, optimistic concurrency) into `store`. */
function recordSample(store: EventStore, command: RecordSample) {
  const codec = sampleLedgerCodec(undefined);
  return new CommandPipeline(pool, store).execute(
    { decider: sampleLedger, codec, streamOf: () => command.sampleId, load: foldStream(store, sampleLedger, codec) },
    command,
    metadata,
  );
}

/** Events through the real event store (command pipeline, optimistic concurrency), rows into the read model. */
async function writeHistory(store: EventStore, projection: SampleTotalsProjection, subjects: number, perSubject: number): Promise<void> {
  for (let s = 0; s < subjects; s++) {
    for (let n = 0; n < perSubject; n++) {
      const command = {
        type: 'RecordSample' as const,
        sampleId: `sample-${s}-${n}`,
        subjectId: `subject-${s}`,
        note: `note ${n}`,
        amountCents: BigInt(100 * s + n),
        category: 'test',
      };
      await recordSample(store, command);
    }
  }
  const client = await pool.connect();
  try {
    // readAll holds back what follows a transaction still open anywhere on the server (parallel suites): wait for all.
    const history = await expectEventually(async () => {
      const read = await store.readAll({ txId: 0n, globalPosition: 0n }, 10_000);
      expect(read).toHaveLength(subjects * perSubject);
      return read;
    });
    for (const event of history) {
      await projection.apply(client, { envelope: event.envelope, topic: 'migrations-it', partition: 0, offset: event.globalPosition });
    }
  } finally {
    client.release();
  }
}

/** Every column that existed before the new migration, of every table holding data, in a stable order. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const s = `"${schema}"`;
  const rows = async (sql: string): Promise<unknown[]> => (await pool.query(sql)).rows;
  return {
    events: await rows(`SELECT global_position::text, tx_id::text, event_id, stream_id, stream_version::text, event_type, subject_id,
                               occurred_at, recorded_at, encode(envelope, 'hex') AS envelope FROM ${s}.events ORDER BY global_position`),
    outbox: await rows(
      `SELECT position::text, event_id, event_type, topic, message_key, encode(envelope, 'hex') AS envelope, created_at FROM ${s}.outbox ORDER BY position`,
    ),
    totals: await rows(`SELECT subject_id, samples, total_cents::text FROM ${s}.sample_totals ORDER BY subject_id`),
    visibility: await rows(`SELECT event_id, sample_id, visible_at FROM ${s}.sample_visibility ORDER BY event_id`),
  };
}

async function recorded(): Promise<string[]> {
  return (await pool.query<{ name: string }>(`SELECT name FROM "${schema}".${MIGRATIONS_TABLE} ORDER BY id`)).rows.map((row) => row.name);
}

describe('schema migrations (TypeORM) on the real Postgres', () => {
  it('given a schema holding events and read-model rows, when a new migration is applied, then nothing is lost, it is recorded once, and a second run applies nothing', async () => {
    ({ pool, schema, drop } = await scratchSchema('it_migrations'));
    expect(await migrateScratchSchema(schema, baseline)).toEqual(applyOrder(baseline));
    const store = new EventStore(pool, { schema, topic: 'crm.testing.v1.events' });
    const projection = new SampleTotalsProjection(schema, ['migrations-it']);
    await writeHistory(store, projection, 5, 8);
    const before = await snapshot();
    expect(before.events).toHaveLength(40);
    expect(before.outbox).toHaveLength(40);
    expect(before.totals).toHaveLength(5);
    expect(before.visibility).toHaveLength(40);
    const streamBefore = await store.readStream('sample-3-7');

    const next = [...baseline, addNoteAndIndex];
    expect(await pendingMigrations(settings, { database: settings.database, schema, migrations: next })).toEqual([addNoteAndIndex.name]);
    expect(await migrateScratchSchema(schema, next)).toEqual([addNoteAndIndex.name]);

    expect(await snapshot()).toEqual(before);
    expect(await store.readStream('sample-3-7')).toEqual(streamBefore);
    expect((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".sample_totals WHERE note IS NULL`)).rows[0].n).toBe(5);
    expect((await pool.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'events_event_type'`, [schema])).rows).toHaveLength(1);
    expect(await recorded()).toEqual([...applyOrder(baseline), addNoteAndIndex.name]);

    expect(await migrateScratchSchema(schema, next)).toEqual([]);
    expect(await recorded()).toEqual([...applyOrder(baseline), addNoteAndIndex.name]);
    // The store carries on where it was: a recorded sample is still refused (its stream is read back), a new one
    // appends after the history, and the events stay immutable.
    const again = { type: 'RecordSample' as const, sampleId: 'sample-3-7', subjectId: 'subject-3', note: 'again', amountCents: 1n, category: 'test' };
    await expect(recordSample(store, again)).rejects.toThrow(/recorded already/);
    await recordSample(store, { ...again, sampleId: 'after' });
    expect((await pool.query(`SELECT max(global_position)::int AS last, count(*)::int AS n FROM "${schema}".events`)).rows[0]).toEqual({ last: 41, n: 41 });
    await expect(pool.query(`DELETE FROM "${schema}".events`)).rejects.toThrow(/events are immutable/);
  });

  it('given a schema created by the old boot-time DDL, when migrated, then the baseline applies over it unchanged and is recorded', async () => {
    ({ pool, schema, drop } = await scratchSchema('it_migrations_legacy'));
    // What services ran at boot before migrations existed: the same SQL, with nothing recorded.
    for (const migration of baseline) await pool.query(migration.up(schema));
    const store = new EventStore(pool, { schema, topic: 'crm.testing.v1.events' });
    await writeHistory(store, new SampleTotalsProjection(schema, ['migrations-it']), 2, 3);
    const before = await snapshot();

    expect(await migrateScratchSchema(schema, baseline)).toEqual(applyOrder(baseline));

    expect(await snapshot()).toEqual(before);
    expect(await recorded()).toEqual(applyOrder(baseline));
  });

  it('given a baseline, when reverted, then it refuses: undoing it would drop the events', async () => {
    ({ pool, schema, drop } = await scratchSchema('it_migrations_undo', baselinesOnly));
    const dataSource = migrationDataSource(settings, { database: settings.database, schema, migrations: baselinesOnly });
    await dataSource.initialize();
    try {
      await expect(dataSource.undoLastMigration()).rejects.toBeInstanceOf(IrreversibleMigration);
    } finally {
      await dataSource.destroy();
    }
    expect(await recorded()).toEqual(applyOrder(baselinesOnly));
  });

  it('given a plan with an owner, when migrated by the administrator, then what it creates belongs to the owner and its grants are applied', async () => {
    // A database of its own, given to crm_backup (deploy/local/postgres.sh makes the role; the administrator is a member).
    drop = () => Promise.resolve();
    const database = uniqueName('it_owned').replaceAll('-', '_');
    await ensureDatabase(settings, database);
    const admin = createPool({ ...settings, database: 'postgres' }, { max: 1 });
    try {
      await admin.query(`ALTER DATABASE "${database}" OWNER TO crm_backup`);
      const table: SchemaMigration = { name: 'OwnedTable1796900000000', up: (schema) => `CREATE TABLE "${schema}".owned (id int PRIMARY KEY)` };
      const applied = await runMigrations(settings, {
        database,
        schema: 'owned',
        migrations: [table],
        owner: 'crm_backup',
        grants: (schema) => grantsToRole('crm_audit', [`GRANT USAGE ON SCHEMA "${schema}" TO crm_audit`, `GRANT SELECT ON "${schema}".owned TO crm_audit`]),
      });
      expect(applied).toEqual(['OwnedTable1796900000000']);

      const pool = createPool({ ...settings, database }, { max: 1 });
      try {
        const { rows } = await pool.query<{ relname: string; owner: string; audit_reads: boolean }>(
          `SELECT relname, pg_get_userbyid(relowner) AS owner, has_table_privilege('crm_audit', oid, 'SELECT') AS audit_reads
             FROM pg_class WHERE relnamespace = 'owned'::regnamespace AND relkind = 'r' ORDER BY relname`,
        );
        expect(rows).toEqual([
          { relname: MIGRATIONS_TABLE, owner: 'crm_backup', audit_reads: false },
          { relname: 'owned', owner: 'crm_backup', audit_reads: true },
        ]);
      } finally {
        await pool.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
