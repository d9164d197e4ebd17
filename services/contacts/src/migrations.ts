import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { CONTACTS_SCHEMA } from './contacts/contact.streams.js';
import { consentStateMigrations } from './lawful-basis/consent-states.schema.js';
import { readModelMigrations } from './read-model/read-model.schema.js';

/**
 * Everything in the contacts schema: its event store, the read model, the event processor's bookkeeping (for the
 * consent-states projector) and the consent states it keeps.
 */
export const contactsMigrations: readonly SchemaMigration[] = [
  ...eventStoreMigrations,
  ...readModelMigrations,
  ...processorMigrations,
  ...consentStateMigrations,
];

/** The databases contacts uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: CONTACTS_SCHEMA, migrations: contactsMigrations }, keyVaultDatabase()];
}
