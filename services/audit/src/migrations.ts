import type { PlatformConfig } from '@crm/config';
import { eventStoreMigrations } from '@crm/eventstore';
import type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { loadAuditConfig } from './audit.config.js';
import { registerMigrations } from './register/register.schema.js';
import { auditTrailMigrations } from './trail/audit.schema.js';

/**
 * Everything in the audit schema: the trail, the register (which uses the trail's trigger function), its event store,
 * and the event processor's bookkeeping (the audit ingest projector keeps its checkpoints beside the entries).
 */
export const auditMigrations: readonly SchemaMigration[] = [...eventStoreMigrations, ...processorMigrations, ...auditTrailMigrations, ...registerMigrations];

/** The databases audit uses, with their migrations (run by `npm run migrate`, docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: loadAuditConfig(env).schema, migrations: auditMigrations }];
}
