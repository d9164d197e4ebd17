import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The consent state rows: one per contact, written in the same transaction as every event of the contact's consent
 * stream, so it is exactly what the stream folds to (an integration test compares the two). The state is PII-free
 * (purposes, notice versions, channels, times, actor ids); the evidence stays sealed in the events. Once the contact
 * is erased the row is reduced to a pseudonymous proof, without the actors (`erase-consents/consent-proof.ts`).
 */
export const consentStateMigrations: readonly SchemaMigration[] = [
  {
    name: 'ConsentStates1796091910750',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.consent_states (
  contact_id uuid PRIMARY KEY,
  version bigint NOT NULL,
  state jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.consent_states;`,
  },
];
