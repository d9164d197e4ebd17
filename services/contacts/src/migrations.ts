import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { CONTACTS_SCHEMA } from './contacts/contact.streams.js';
import { importMigrations } from './import/import.schema.js';
import { consentStateMigrations } from './lawful-basis/consent-states.schema.js';
import { readModelMigrations } from './read-model/read-model.schema.js';
import { retentionMigrations } from './retention/retention.schema.js';

/**
 * Everything in the contacts schema: its event store, the read model, the event processor's bookkeeping (for the
 * consent-states projector), the consent states it keeps, retention (policies, legal holds, sweeps) and import jobs.
 */
export const contactsMigrations: readonly SchemaMigration[] = [
  ...eventStoreMigrations,
  ...readModelMigrations,
  ...processorMigrations,
  ...consentStateMigrations,
  ...retentionMigrations,
  ...importMigrations,
];

/** The databases contacts uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: CONTACTS_SCHEMA, migrations: contactsMigrations }, keyVaultDatabase()];
}
