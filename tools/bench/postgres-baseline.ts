// Postgres's batched-append ceiling on this machine: pgbench inserting 100-row batches into a table shaped like
// the event store's `events` (same columns, same unique constraints and indexes), from 4 clients.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgLib from 'pg';
import { pg, run, runId, type Measurement } from './bench-env.ts';

export async function pgbenchBatchedAppend(seconds: number): Promise<Measurement> {
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
FROM generate_series(1, 100);\n`,
  );
  try {
    const pgbench = pgbenchBinary();
    const output = await run(
      pgbench,
      ['-n', '-c', '4', '-j', '2', '-T', String(seconds), '-f', script, '-h', pg.host, '-p', String(pg.port), '-U', pg.user, pg.database],
      { PGPASSWORD: pg.password },
    );
    const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`unexpected pgbench output: ${output.slice(-400)}`);
    return { section: 'postgres', name: 'pgbench: 100-row inserts into an events-shaped table (4 clients)', perSecond: tps * 100, count: Math.round(tps * 100 * seconds), seconds };
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
}

/** Debian keeps pgbench beside the server binaries, off PATH; prefer the newest installed major. */
function pgbenchBinary(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = majors.map((major) => join(root, major, 'bin', 'pgbench')).find((path) => existsSync(path));
  return found ?? 'pgbench';
}
