import type pg from 'pg';
import { keyVaultDatabase } from '@crm/crypto';
import { runMigrations } from '@crm/migrations';
import { createPool, type SchemaMigration } from '@crm/postgres';
import { testPlatformConfig, uniqueName } from './test-env.js';

/**
 * A pool on the test database plus a schema of its own, dropped at the end, so tests never see each other's rows.
 * `migrations` are applied to it the way `npm run migrate` applies them (TypeORM, recorded in its `crm_migrations`),
 * so tests run on the schema the services get, never on a copy of its DDL.
 */
export async function scratchSchema(
  prefix: string,
  migrations: readonly SchemaMigration[] = [],
): Promise<{ pool: pg.Pool; schema: string; drop: () => Promise<void> }> {
  const settings = testPlatformConfig().postgres!;
  const pool = createPool(settings, { max: 8, applicationName: `test-${prefix}` });
  const schema = uniqueName(prefix).replaceAll('-', '_').toLowerCase();
  await pool.query(`CREATE SCHEMA "${schema}"`);
  if (migrations.length > 0) await migrateScratchSchema(schema, migrations);
  return {
    pool,
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Applies `migrations` to `schema` of the test database (creating it when missing); returns the names applied. */
export async function migrateScratchSchema(schema: string, migrations: readonly SchemaMigration[]): Promise<string[]> {
  const settings = testPlatformConfig().postgres!;
  return runMigrations(settings, { database: settings.database, schema, migrations });
}

/** Applies the key vault's migrations to `database` (the real `keyvault` by default, or a test's scratch vault). */
export async function migrateKeyVault(database?: string): Promise<string[]> {
  return runMigrations(testPlatformConfig().postgres!, keyVaultDatabase(database));
}
