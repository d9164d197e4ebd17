import { randomBytes } from 'node:crypto';
import type { PostgresSettings } from '@crm/config';
import { KEY_VAULT_DATABASE, keyVaultDatabase } from '@crm/crypto';
import { AppError } from '@crm/http';
import type { KafkaCluster } from '@crm/messaging';
import { runMigrations } from '@crm/migrations';
import { createPool, type Pool } from '@crm/postgres';
import type { AnnouncedErasure } from '../restoring/erasures.reapplier.js';
import { readErasureLedger, restoreVaultBackup, vaultHoldsRows, type VaultBackupSettings, type VaultRestoreReport } from './vault-backup.js';

export interface VaultRestoreOutcome {
  report: VaultRestoreReport;
  /** The database the vault was restored into (`keyvault` for live, `keyvault_restore_<hex>` for scratch). */
  database: string;
  /** Erasures read from the live vault's ledger before the restore (re-applied with the backup cluster's). */
  liveLedger: number;
  rtoSeconds: number;
}

/**
 * `npm run restore -- --vault <id|latest> --into scratch|live`: the key vault alone, from its own backup.
 * - scratch: a new database `keyvault_restore_<hex>` beside the live vault, which is only read (its erasure ledger);
 * - live: the platform's `keyvault`, refused while it holds rows unless `force` (its ledger is read first, then the
 *   database is dropped and created again: the services must be stopped).
 * Either way every erasure the live ledger or the backup cluster knows is re-applied before a row is written.
 */
export async function restoreVaultInto(options: {
  from: string;
  into: 'scratch' | 'live';
  force: boolean;
  live: PostgresSettings;
  settings: VaultBackupSettings;
  backup: KafkaCluster;
  now: () => Date;
}): Promise<VaultRestoreOutcome> {
  const started = options.now();
  const liveLedger = await readLiveLedger(options.live);
  const database = options.into === 'live' ? KEY_VAULT_DATABASE : `keyvault_restore_${randomBytes(6).toString('hex')}`;
  if (options.into === 'live' && liveLedger !== undefined) {
    const live = createPool({ ...options.live, database }, { max: 1, applicationName: 'crm-restore' });
    try {
      if ((await vaultHoldsRows(live)) && !options.force)
        throw new AppError('RESTORE_TARGET_NOT_EMPTY', 'conflict', 'the live key vault holds keys; --force replaces it (stop the platform first)');
    } finally {
      await live.end();
    }
    await dropDatabase(options.live, database);
  }
  await runMigrations(options.live, keyVaultDatabase(database));
  const target = createPool({ ...options.live, database }, { max: 2, applicationName: 'crm-restore' });
  try {
    const report = await restoreVaultBackup(target, options.settings, options.from, {
      backup: options.backup,
      ...(liveLedger === undefined ? {} : { liveLedger }),
      groupId: `crm-restore-vault-${randomBytes(6).toString('hex')}`,
    });
    return { report, database, liveLedger: liveLedger?.length ?? 0, rtoSeconds: (options.now().getTime() - started.getTime()) / 1000 };
  } catch (error) {
    if (options.into === 'scratch') await dropDatabase(options.live, database).catch(() => undefined);
    throw error;
  } finally {
    await target.end();
  }
}

export async function dropDatabase(settings: PostgresSettings, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new RangeError('not a database name');
  const admin = createPool({ ...settings, database: 'postgres' }, { max: 1, applicationName: 'crm-restore' });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * The live vault's erasure ledger; undefined only when there is no live vault (its database or its cluster is gone
 * with the disaster). Any other failure stops the restore: going on without a ledger that exists could miss an erasure.
 */
async function readLiveLedger(live: PostgresSettings): Promise<AnnouncedErasure[] | undefined> {
  let pool: Pool | undefined;
  try {
    pool = createPool({ ...live, database: KEY_VAULT_DATABASE }, { max: 1, applicationName: 'crm-restore' });
    return await readErasureLedger(pool);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === '3D000' || code === '42P01' || code === 'ECONNREFUSED') return undefined;
    throw new AppError('RESTORE_FAILED', 'unavailable', "the live key vault's erasure ledger could not be read", { cause: error });
  } finally {
    await pool?.end().catch(() => undefined);
  }
}
