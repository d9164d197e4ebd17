import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * What completing a request produces, beside its events:
 * - `subject_request_packages`: the access package (JSON, HTML) and the portability files (JSON, CSV), each sealed
 *   under the contact's key (bound to the request and the format), so the contact's erasure makes them unreadable
 *   like every other copy of the person's data; `expires_at` says until when the DPO may download them, and the
 *   deadline sweep deletes them after that.
 * - `subject_request_receipts`: the erasure receipt, PII-free by construction (ids, times, key versions, event ids,
 *   the purposes and dates of the consent records), kept in the clear because the key it could be sealed under is
 *   the one the erasure destroyed.
 */
export const requestOutputMigrations: readonly SchemaMigration[] = [
  {
    name: 'SubjectRequestOutputs1796600000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.subject_request_packages (
  request_id uuid NOT NULL,
  format text NOT NULL,
  contact_id uuid NOT NULL,
  content_type text NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, format)
);
CREATE INDEX subject_request_packages_expiry ON ${s}.subject_request_packages (expires_at);
CREATE TABLE ${s}.subject_request_receipts (
  request_id uuid PRIMARY KEY,
  contact_id uuid NOT NULL,
  receipt jsonb NOT NULL,
  created_at timestamptz NOT NULL
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.subject_request_receipts; DROP TABLE ${quoteIdent(schema)}.subject_request_packages;`,
  },
];
