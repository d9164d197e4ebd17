import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * Import jobs' state in the contacts schema. `contact_imports` is one import: who started it and for which purpose,
 * its progress, its refused rows (row number, code, catalogue paths: no value from the file), and the uploaded file
 * sealed under a key of the import's own in the key vault (the file holds personal data), kept until the import ends
 * and then dropped with its key destroyed. `contact_import_rows` is the row ledger: row n of import i became contact
 * c, written in the transaction that stores the contact's events, so a resumed import skips exactly the rows done.
 * Never edit an applied migration; append one.
 */
export const importMigrations: readonly SchemaMigration[] = [
  {
    name: 'ContactsImportJobs1796900000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.contact_imports (
  import_id      uuid PRIMARY KEY,
  owner          text NOT NULL,
  status         text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  format         text NOT NULL,
  context        jsonb NOT NULL,
  sealed_content bytea,
  total_rows     int NOT NULL,
  processed_rows int NOT NULL DEFAULT 0,
  imported_rows  int NOT NULL DEFAULT 0,
  rejected       jsonb NOT NULL,
  error_code     text,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE TABLE ${s}.contact_import_rows (
  import_id  uuid NOT NULL REFERENCES ${s}.contact_imports (import_id),
  row_number int NOT NULL,
  contact_id uuid NOT NULL,
  PRIMARY KEY (import_id, row_number)
);`;
    },
    down: (schema) => {
      const s = quoteIdent(schema);
      return `DROP TABLE ${s}.contact_import_rows; DROP TABLE ${s}.contact_imports`;
    },
  },
];
