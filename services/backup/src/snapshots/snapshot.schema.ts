import type { SchemaMigration } from '@crm/postgres';

const ident = (schema: string) => `"${schema.replaceAll('"', '""')}"`;

/**
 * One row per snapshot run: what triggered it, the Kafka offsets it is consistent with (recorded before the backup
 * starts: everything below them is in the snapshot, so a restore replays the backup cluster from there), and its
 * outcome: the repository's label, sizes and the verification, or the stable code of the failure.
 */
export const snapshotMigrations: readonly SchemaMigration[] = [
  {
    name: 'SnapshotRuns1796200000000',
    up: (schema) => `
CREATE TABLE ${ident(schema)}.snapshot_runs (
  id uuid PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('full', 'diff')),
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'drill')),
  requested_by text,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  kafka_offsets jsonb NOT NULL,
  label text UNIQUE,
  size_bytes bigint,
  repository_delta_bytes bigint,
  wal_start text,
  wal_stop text,
  verified boolean,
  error_code text
);
CREATE INDEX snapshot_runs_started ON ${ident(schema)}.snapshot_runs (started_at DESC);`,
    down: (schema) => `DROP TABLE ${ident(schema)}.snapshot_runs;`,
  },
];
