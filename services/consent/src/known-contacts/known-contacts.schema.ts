import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * The contacts consent knows exist, learnt from `crm.contacts.v1.events` by the known-contacts projector: a consent
 * or an objection is recorded only for one of them. Ids and times only, no personal data. Never edit an applied
 * migration; append one.
 */
export const knownContactMigrations: readonly SchemaMigration[] = [
  {
    name: 'ConsentKnownContacts1796100000000',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.known_contacts (
  contact_id uuid PRIMARY KEY,
  created_at timestamptz
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.known_contacts`,
  },
];
