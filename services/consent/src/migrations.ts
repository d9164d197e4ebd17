import type { PlatformConfig } from '@crm/config';
import { keyVaultDatabase } from '@crm/crypto';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { consentStateMigrations } from './consents/consent-state.schema.js';
import { CONSENT_SCHEMA } from './consents/consent.streams.js';
import { knownContactMigrations } from './known-contacts/known-contacts.schema.js';
import { noticeStateMigrations } from './notices/notice-state.schema.js';
import { requestOutputMigrations } from './requests/request-outputs/request-outputs.schema.js';
import { registerViewMigrations } from './register/register.schema.js';
import { requestStateMigrations } from './requests/request-state.schema.js';

/**
 * Everything in the consent schema: its event store, the consent, privacy-notice and data-subject request state rows,
 * the event processor's bookkeeping (for the known-contacts projector) and the contacts it knows.
 */
export const consentMigrations: readonly SchemaMigration[] = [
  ...eventStoreMigrations,
  ...consentStateMigrations,
  ...noticeStateMigrations,
  ...requestStateMigrations,
  ...processorMigrations,
  ...knownContactMigrations,
  ...requestOutputMigrations,
  ...registerViewMigrations,
];

/** The databases consent uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: CONSENT_SCHEMA, migrations: consentMigrations }, keyVaultDatabase()];
}
