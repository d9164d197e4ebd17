// Postgres's own append rates on this machine, measured by pgbench into a table shaped like the event store's
// `events` (same columns, same unique constraints and indexes): 100-row batches from 4 clients (the ceiling of
// batched writing), and one row per committed transaction from 8 clients (what one command per transaction can
// at best reach; the write path's baseline).
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgLib from 'pg';
import { pg, run, runId, type Measurement } from './bench-env.ts';

export function pgbenchBatchedAppend(seconds: number): Promise<Measurement> {
  return pgbenchAppend(seconds, { rowsPerTransaction: 100, clients: 4, name: 'pgbench: 100-row inserts into an events-shaped table (4 clients)' });
}

export function pgbenchSingleRow(seconds: number): Promise<Measurement> {
  return pgbenchAppend(seconds, { rowsPerTransaction: 1, clients: 8, name: 'pgbench: single-row transactions into an events-shaped table (8 clients)' });
}

async function pgbenchAppend(seconds: number, shape: { rowsPerTransaction: number; clients: number; name: string }): Promise<Measurement> {
  const schema = `bench_pg_${runId()}`;
  const pool = new pgLib.Pool({ ...pg, max: 1 });
  await pool.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.events (
      global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, stream_version bigint NOT NULL,
      event_type text NOT NULL, subject_id text, occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(), envelope bytea NOT NULL,
      UNIQUE (stream_id, stream_version));
    CREATE INDEX ON ${schema}.events (tx_id, global_position);`);
  const script = join(mkdtempSync(join(tmpdir(), 'crm-pgbench-')), 'append.sql');
  writeFileSync(
    script,
    `INSERT INTO ${schema}.events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, envelope)
SELECT gen_random_uuid(), gen_random_uuid()::text, 1, 'crm.testing.v1.SampleRecorded', 'subject', now(), decode(repeat('ab', 300), 'hex')
FROM generate_series(1, ${shape.rowsPerTransaction});\n`,
  );
  try {
    const pgbench = pgbenchBinary();
    const output = await run(
      pgbench,
      ['-n', '-c', String(shape.clients), '-j', '2', '-T', String(seconds), '-f', script, '-h', pg.host, '-p', String(pg.port), '-U', pg.user, pg.database],
      { PGPASSWORD: pg.password },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`unexpected pgbench output: ${output.slice(-400)}`);
    const rows = tps * shape.rowsPerTransaction;
    return { section: 'postgres', name: shape.name, perSecond: rows, count: Math.round(rows * seconds), seconds };
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
}

/** Debian keeps pgbench beside the server binaries, off PATH; prefer the newest installed major. */
function pgbenchBinary(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = majors.map((major) => join(root, major, 'bin', 'pgbench')).find((path) => existsSync(path));
  return found ?? 'pgbench';
}
