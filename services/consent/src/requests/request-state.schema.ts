import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The data-subject request state rows: one per request, written in the same transaction as every event of the
 * request's stream, so the state is exactly what the stream folds to. The state is PII-free (type, status, method,
 * times, actor ids); the free texts stay sealed in the events. `status` and `due_at` repeat the state's, so the
 * desk's lists (open, due soon, overdue) and the deadline job find their requests by index.
 */
export const requestStateMigrations: readonly SchemaMigration[] = [
  {
    name: 'SubjectRequestStates1796250000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.subject_request_states (
  request_id uuid PRIMARY KEY,
  contact_id uuid NOT NULL,
  version bigint NOT NULL,
  status text NOT NULL,
  due_at timestamptz NOT NULL,
  state jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX subject_request_states_open_due ON ${s}.subject_request_states (due_at) WHERE status IN ('received', 'verified', 'in-progress');
CREATE INDEX subject_request_states_contact ON ${s}.subject_request_states (contact_id);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.subject_request_states;`,
  },
];
