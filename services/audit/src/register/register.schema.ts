import { quoteIdent } from '@crm/eventstore';
import { appendOnlyTriggersSql, type SchemaMigration } from '@crm/postgres';

/**
 * Every version of every register record, kept forever: a supervisory authority may ask what the register said
 * on a given day (Art. 30(4)). Rows are append-only (same trigger function as the audit entries); the current
 * state is the highest version. Each version is also an event in the event store beside it (stream
 * `activity-<id>` / `processor-<id>`), whose unique (stream, version) is what turns a stale PUT into a 409.
 */
export const registerMigrations: readonly SchemaMigration[] = [
  { name: 'AuditRegisterBaseline1795996800301', up: (schema) => registerBaselineSql(schema) },
  { name: 'AuditRegisterDraftStatus1796700000000', up: (schema) => draftStatusSql(schema) },
];

/**
 * Each version says whether it is the platform's `draft` (awaiting the DPO's review) or `approved`. Every version
 * recorded before drafts existed was declared by a DPO, so the default is `approved` (adding a column with a
 * constant default rewrites no row, so the append-only triggers are not involved).
 */
function draftStatusSql(schema: string): string {
  const s = quoteIdent(schema);
  return ['activity_versions', 'processor_versions']
    .map(
      (table) =>
        `ALTER TABLE ${s}.${table} ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'approved' CONSTRAINT ${table}_status_known CHECK (status IN ('draft', 'approved'));`,
    )
    .join('\n');
}

/** Baseline (the former boot-time DDL, idempotent); runs after the trail's, whose trigger function it uses. */
function registerBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return ['activity_versions', 'processor_versions']
    .map(
      (table) => `
CREATE TABLE IF NOT EXISTS ${s}.${table} (
  id          uuid        NOT NULL,
  version     int         NOT NULL CHECK (version > 0),
  document    jsonb       NOT NULL,
  recorded_by text        NOT NULL,
  recorded_at timestamptz NOT NULL,
  event_id    uuid        NOT NULL,
  PRIMARY KEY (id, version)
);
${appendOnlyTriggersSql(s, table, 'refuse_audit_mutation')}`,
    )
    .join('\n');
}
