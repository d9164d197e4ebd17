export { PostgresModule, PostgresHealthCheck, PG_POOL, createPool, type PoolOptions } from './postgres.module.js';
export type { Pool, PoolClient } from 'pg';
export { withClient, withTransaction } from './transaction.js';
export { appendOnlyTriggersSql, refuseMutationFunctionSql } from './append-only.sql.js';
export { ensureDatabase, grantsToRole, type DatabaseMigrations, type SchemaMigration } from './migrations.js';
