import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { CONTACTS_SCHEMA } from './contacts/contact.streams.js';
import { readModelMigrations } from './read-model/read-model.schema.js';

/** Everything in the contacts schema: its event store and the read model. */
export const contactsMigrations: readonly SchemaMigration[] = [...eventStoreMigrations, ...readModelMigrations];

/** The databases contacts uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: CONTACTS_SCHEMA, migrations: contactsMigrations }, keyVaultDatabase()];
}
