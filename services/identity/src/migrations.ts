import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { accountsMigrations } from './accounts/accounts.schema.js';
import { IDENTITY_SCHEMA } from './accounts/identity.events.js';
import { refreshTokenMigrations } from './tokens/refresh-tokens/refresh-token.schema.js';

/** Everything in identity's schema: its event store, accounts and credentials, refresh tokens. */
export const identityMigrations: readonly SchemaMigration[] = [...eventStoreMigrations, ...accountsMigrations, ...refreshTokenMigrations];

/** The databases identity uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: IDENTITY_SCHEMA, migrations: identityMigrations }, keyVaultDatabase()];
}
