import { serviceRole, type PlatformConfig } from '@crm/config';
import { eventStoreMigrations } from '@crm/eventstore';
import { grantsToRole, type DatabaseMigrations, type SchemaMigration } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { loadAuditConfig } from './audit.config.js';
import { registerMigrations } from './register/register.schema.js';
import { auditTrailMigrations } from './trail/audit.schema.js';

/**
 * Everything in the audit schema: the trail, the register (which uses the trail's trigger function), its event store,
 * and the event processor's bookkeeping (the audit ingest projector keeps its checkpoints beside the entries).
 */
export const auditMigrations: readonly SchemaMigration[] = [...eventStoreMigrations, ...processorMigrations, ...auditTrailMigrations, ...registerMigrations];

/**
 * What the audit service's runtime role may do in its schema (docs/security.md): read everything, insert entries,
 * register versions and its events; update only its own bookkeeping (the log's next leaf index, the ingest and
 * processor checkpoints); delete only what it has published from the outbox and its processor bookkeeping. Never
 * UPDATE, DELETE or TRUNCATE the trail or the register, and never DDL: the tables and their append-only triggers
 * belong to the owner role that runs these migrations.
 */
export function auditRuntimeGrantsSql(schema: string, role: string): string {
  const s = `"${schema}"`;
  return grantsToRole(role, [
    `GRANT USAGE ON SCHEMA ${s} TO ${role}`,
    `GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${s} TO ${role}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`,
    `GRANT UPDATE ON ${s}.log_state, ${s}.ingest_checkpoints TO ${role}`,
    `GRANT UPDATE, DELETE ON ${s}.processor_checkpoints, ${s}.processor_streams, ${s}.processor_groups, ${s}.processed_events TO ${role}`,
    `GRANT DELETE ON ${s}.outbox TO ${role}`,
    `REVOKE INSERT ON ${s}.crm_migrations FROM ${role}`,
  ]);
}

/**
 * The databases audit uses, with their migrations (run by `npm run migrate`, docs/migrations.md): run as the audit
 * database's owner role, then granting the service's runtime role only what it needs.
 */
export function databaseMigrations(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): DatabaseMigrations[] {
  return [
    {
      database: config.postgres!.database,
      schema: loadAuditConfig(env).schema,
      migrations: auditMigrations,
      grants: (schema) => auditRuntimeGrantsSql(schema, serviceRole('audit')),
    },
  ];
}
