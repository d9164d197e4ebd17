import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The contacts read model. Every personal value is sealed with the contact's key (one blob per record, one per
 * transaction); search goes through blind-index tokens; paging goes by contact id (UUIDv7, so creation order) and
 * never opens a blob outside the page. Erasure deletes the record (the cascade takes its tokens) and leaves a PII-free
 * tombstone, so an erased id answers 410 rather than 404; its purchases, unreadable from the moment the key is gone,
 * are deleted right after in chunks, so an erasure's own time does not grow with the contact's history.
 */
export const readModelMigrations: readonly SchemaMigration[] = [
  { name: 'ContactsReadModelBaseline1795996800200', up: (schema) => readModelBaselineSql(schema) },
];

/** Baseline (the former boot-time DDL, idempotent); never edit it, append a migration to `readModelMigrations`. */
function readModelBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.contact_records (
  contact_id uuid PRIMARY KEY,
  version bigint NOT NULL,
  restricted boolean NOT NULL DEFAULT false,
  restriction_reason text,
  record_sealed bytea NOT NULL,
  transaction_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.contact_search (
  index_name text NOT NULL,
  token text NOT NULL,
  contact_id uuid NOT NULL REFERENCES ${s}.contact_records (contact_id) ON DELETE CASCADE,
  PRIMARY KEY (index_name, token, contact_id)
);
CREATE INDEX IF NOT EXISTS contact_search_by_contact ON ${s}.contact_search (contact_id);
CREATE TABLE IF NOT EXISTS ${s}.contact_transactions (
  contact_id uuid NOT NULL,
  transaction_id uuid NOT NULL,
  amount_cents bigint NOT NULL,
  currency text NOT NULL,
  details_sealed bytea NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (contact_id, transaction_id)
);
CREATE INDEX IF NOT EXISTS contact_transactions_recent ON ${s}.contact_transactions (contact_id, recorded_at DESC);
CREATE TABLE IF NOT EXISTS ${s}.erased_contacts (
  contact_id uuid PRIMARY KEY,
  erased_at timestamptz NOT NULL
);
-- Purchases are purged after the erasure has answered (see TransactionPurge): no cascade ties them to the record.
ALTER TABLE ${s}.contact_transactions DROP CONSTRAINT IF EXISTS contact_transactions_contact_id_fkey;
`;
}
