import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostgresSettings } from '@crm/config';
import { runMigrations } from '@crm/migrations';
import type { Pool } from '@crm/postgres';
import { systemRandomBytes } from '../entropy.js';
import { FileKekProvider } from './file-kek.provider.js';
import { createKeyVaultPool, dropDatabase } from './key-vault.database.js';
import { keyVaultDatabase } from './key-vault.schema.js';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from './postgres-key.store.js';

/**
 * For integration tests only: a key vault in its own scratch database with KEKs in its own temporary state
 * directory, so concurrent test runs (and the platform's real `keyvault`) never share keys or rows.
 */
export interface ScratchKeyVault {
  database: string;
  stateDir: string;
  kek: FileKekProvider;
  /** Another "process": a new pool and store on the same vault and KEK directory. */
  openStore(options?: Partial<Omit<PostgresKeyStoreOptions, 'pool' | 'kek'>>): Promise<{ store: PostgresKeyStore; pool: Pool }>;
  dispose(): Promise<void>;
}

export async function scratchKeyVault(settings: PostgresSettings): Promise<ScratchKeyVault> {
  const database = `keyvault_it_${Buffer.from(systemRandomBytes(6)).toString('hex')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'crm-crypto-it-'));
  const kek = new FileKekProvider({ stateDir });
  const pools: Pool[] = [];
  // The vault's own migrations, as `npm run migrate` applies them to the real one.
  await runMigrations(settings, keyVaultDatabase(database));
  return {
    database,
    stateDir,
    kek,
    async openStore(options = {}) {
      const pool = await createKeyVaultPool(settings, { database, max: 4 });
      pools.push(pool);
      return { store: new PostgresKeyStore({ pool, kek, ...options }), pool };
    },
    async dispose() {
      await Promise.all(pools.map((pool) => pool.end()));
      await dropDatabase(settings, database);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
