import type { SchemaMigration } from '@crm/postgres';

const ident = (schema: string) => `"${schema.replaceAll('"', '""')}"`;

/**
 * One row per restore drill: what triggered it, the snapshot it restored, its verdict with the stable codes of the
 * failed checks, and the figures (RTO, RPO, streams compared, erased subjects checked, audit). No personal data.
 */
export const drillMigrations: readonly SchemaMigration[] = [
  {
    name: 'DrillRuns1796300000000',
    up: (schema) => `
CREATE TABLE ${ident(schema)}.drill_runs (
  id uuid PRIMARY KEY,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  requested_by text,
  status text NOT NULL CHECK (status IN ('running', 'passed', 'failed')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  snapshot_label text,
  failures text[] NOT NULL DEFAULT '{}',
  figures jsonb
);
CREATE INDEX drill_runs_started ON ${ident(schema)}.drill_runs (started_at DESC);`,
    down: (schema) => `DROP TABLE ${ident(schema)}.drill_runs;`,
  },
];
