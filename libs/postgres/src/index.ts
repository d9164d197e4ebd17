export { PostgresModule, PostgresHealthCheck, PG_POOL, createPool, type PoolOptions } from './postgres.module.js';
export type { Pool, PoolClient } from 'pg';
export { withTransaction } from './transaction.js';
