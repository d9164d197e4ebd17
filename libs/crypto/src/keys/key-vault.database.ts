import type { PostgresSettings } from '@crm/config';
import { createPool, ensureDatabase, type Pool } from '@crm/postgres';

/** The key vault's default database name. Separate from every service database: it is not restorable data. */
export const KEY_VAULT_DATABASE = 'keyvault';

export interface KeyVaultPoolOptions {
  /** Default `keyvault`; tests pass a unique name. */
  database?: string;
  /** Database to connect to while creating the vault; default `postgres`. */
  maintenanceDatabase?: string;
  max?: number;
  applicationName?: string;
  /**
   * Create the database when missing (default true: tests' scratch vaults). Services pass false: their roles may
   * not create databases, nor connect to the maintenance database; `npm run migrate` creates the vault.
   */
  create?: boolean;
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates the key vault database if it does not exist (the platform role has CREATEDB) and returns a pool on it.
 * Snapshots of the cluster include it, so a restore holds DEKs destroyed after the snapshot: the restore applies
 * every later erasure again before anything reads it (services/backup, docs/backup.md).
 */
export async function createKeyVaultPool(settings: PostgresSettings, options: KeyVaultPoolOptions = {}): Promise<Pool> {
  const database = options.database ?? KEY_VAULT_DATABASE;
  if (options.create !== false) await ensureDatabase(settings, database, options.maintenanceDatabase ?? 'postgres');
  return createPool({ ...settings, database }, { max: options.max ?? 5, applicationName: options.applicationName ?? 'keyvault' });
}

export async function dropDatabase(settings: PostgresSettings, database: string, maintenanceDatabase = 'postgres'): Promise<void> {
  if (!DATABASE_NAME.test(database)) throw new RangeError('database name must match [a-z_][a-z0-9_]{0,62}');
  const admin = createPool({ ...settings, database: maintenanceDatabase }, { max: 1, applicationName: 'keyvault-setup' });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
