import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/**
 * What contacts knows of consent and objections, per contact and purpose, learnt from `crm.consent.v1.events` by the
 * consent-states projector. No personal data: ids, purpose codes, flags and times (the sealed evidence stays in
 * consent's events). Never edit an applied migration; append one.
 */
export const consentStateMigrations: readonly SchemaMigration[] = [
  {
    name: 'ContactsConsentStates1796092870953',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
CREATE TABLE ${s}.consent_states (
  contact_id uuid NOT NULL,
  purpose text NOT NULL,
  consent_in_force boolean NOT NULL DEFAULT false,
  consent_changed_at timestamptz,
  objected boolean NOT NULL DEFAULT false,
  objected_at timestamptz,
  PRIMARY KEY (contact_id, purpose)
);`;
    },
    down: (schema) => `DROP TABLE ${quoteIdent(schema)}.consent_states`,
  },
];
