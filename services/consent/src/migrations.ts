import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { consentStateMigrations } from './consents/consent-state.schema.js';
import { CONSENT_SCHEMA } from './consents/consent.streams.js';
import { noticeStateMigrations } from './notices/notice-state.schema.js';
import { requestStateMigrations } from './requests/request-state.schema.js';

/** Everything in the consent schema: its event store and the consent, privacy-notice and data-subject request state rows. */
export const consentMigrations: readonly SchemaMigration[] = [
  ...eventStoreMigrations,
  ...consentStateMigrations,
  ...noticeStateMigrations,
  ...requestStateMigrations,
];

/** The databases consent uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: CONSENT_SCHEMA, migrations: consentMigrations }, keyVaultDatabase()];
}
