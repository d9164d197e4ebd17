import { quoteIdent } from '@crm/eventstore';
import { appendOnlyTriggersSql, refuseMutationFunctionSql, type SchemaMigration } from '@crm/postgres';

/**
 * The audit store in the audit database's own schema.
 *
 * - `entries` is append-only: UPDATE, DELETE and TRUNCATE raise, so a buggy or compromised service holding the
 *   table owner's role cannot rewrite history. A superuser can still drop the triggers; that is what the signed
 *   tree heads on Kafka and the verifier are for.
 * - `log_state` holds the log's random id (which signed heads name) and the next leaf index. Its row lock
 *   serialises writers, which is what keeps leaf indexes dense when several instances ingest at once.
 * - `ingest_checkpoints` is the next Kafka offset per partition, written in the same transaction as the entries,
 *   so a redelivered batch changes nothing (exactly-once effect; event ids are a second line of defence).
 * - One index per DPO filter, each ending in leaf_index, so keyset paging in log order is an index range scan.
 */
export function auditSchemaSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.log_state (
  singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  log_id          uuid    NOT NULL,
  next_leaf_index bigint  NOT NULL CHECK (next_leaf_index >= 0)
);
INSERT INTO ${s}.log_state (log_id, next_leaf_index) VALUES (gen_random_uuid(), 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS ${s}.entries (
  leaf_index       bigint      PRIMARY KEY CHECK (leaf_index >= 0),
  event_id         text        NOT NULL UNIQUE,
  occurred_at      timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL,
  actor_id         text        NOT NULL,
  actor_type       text        NOT NULL,
  action           text        NOT NULL,
  subject_id       text        NOT NULL,
  fields           text[]      NOT NULL,
  purpose          text        NOT NULL,
  legal_basis      text        NOT NULL,
  correlation_id   text        NOT NULL,
  causation_id     text        NOT NULL,
  payload_type     text        NOT NULL,
  envelope_sha256  text        NOT NULL,
  source_topic     text        NOT NULL,
  source_partition int         NOT NULL,
  source_offset    bigint      NOT NULL,
  leaf_hash        bytea       NOT NULL CHECK (octet_length(leaf_hash) = 32)
);
CREATE INDEX IF NOT EXISTS entries_subject ON ${s}.entries (subject_id, leaf_index) WHERE subject_id <> '';
CREATE INDEX IF NOT EXISTS entries_actor ON ${s}.entries (actor_id, leaf_index);
CREATE INDEX IF NOT EXISTS entries_action ON ${s}.entries (action, leaf_index);
CREATE INDEX IF NOT EXISTS entries_purpose ON ${s}.entries (purpose, leaf_index);
CREATE INDEX IF NOT EXISTS entries_occurred ON ${s}.entries (occurred_at, leaf_index);

${refuseMutationFunctionSql(s, 'refuse_audit_mutation', 'the audit trail is append-only')}${appendOnlyTriggersSql(s, 'entries', 'refuse_audit_mutation')}

CREATE TABLE IF NOT EXISTS ${s}.ingest_checkpoints (
  topic       text   NOT NULL,
  partition   int    NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (topic, partition)
);
`;
}

/**
 * The audit trail's migrations (docs/migrations.md): the baseline is `auditSchemaSql`, the former boot-time DDL,
 * idempotent. Never edit an applied migration; append a new one.
 */
export const auditTrailMigrations: readonly SchemaMigration[] = [{ name: 'AuditTrailBaseline1795996800300', up: (schema) => auditSchemaSql(schema) }];
