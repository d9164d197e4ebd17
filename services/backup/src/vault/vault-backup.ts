import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHREDDED_KEYS_TOPIC, readPrivateFile } from '@crm/crypto';
import { uuidv7 } from '@crm/eventstore';
import { AppError } from '@crm/http';
import type { KafkaCluster } from '@crm/messaging';
import { withTransaction, type Pool, type PoolClient } from '@crm/postgres';
import { readAnnouncedErasures, type AnnouncedErasure } from '../restoring/erasures.reapplier.js';
import { openVaultBackup, readVaultBackupHeader, sealVaultBackup, vaultBackupKey, type VaultBackupHeader, type VaultContents } from './vault-backup.codec.js';

const SUFFIX = '.vault';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the vault backups are and the key that seals them (docs/backup.md). */
export interface VaultBackupSettings {
  /** `$CRM_BACKUP_DIR/keyvault`. */
  dir: string;
  /** `$CRM_STATE_DIR/secrets/vault-backup.key` (generated at first start by deploy/local/infra.sh). */
  keyFile: string;
  /** How many vault backups are kept (the newest; older files are deleted after each new one). */
  retain: number;
}

export function vaultBackupSettings(stateDir: string, backupDir: string | undefined, env: NodeJS.ProcessEnv = process.env): VaultBackupSettings {
  const retain = Number(env.CRM_VAULT_BACKUP_RETAIN ?? 7);
  return {
    dir: join(backupDir ?? env.CRM_BACKUP_DIR ?? join(stateDir, 'backups'), 'keyvault'),
    keyFile: env.CRM_VAULT_BACKUP_KEY_FILE ?? join(stateDir, 'secrets', 'vault-backup.key'),
    retain: Number.isInteger(retain) && retain > 0 ? retain : 7,
  };
}

export async function loadVaultBackupKey(settings: VaultBackupSettings): Promise<Buffer> {
  const secret = await readPrivateFile(settings.keyFile);
  if (secret === undefined) throw new AppError('VAULT_BACKUP_KEY_MISSING', 'unavailable', 'the vault-backup key file is missing (infra.sh start creates it)');
  return vaultBackupKey(secret);
}

export interface VaultBackupTaken {
  id: string;
  file: string;
  header: VaultBackupHeader;
}

/**
 * Backs the key vault up on its own: the shred announcements' end offsets on the primary first, then the vault's rows
 * in one repeatable-read snapshot (so the ledger holds every erasure announced below those offsets), sealed under the
 * vault-backup key into `<dir>/<id>.vault` (mode 600, written whole then renamed). Older backups beyond `retain` are
 * deleted: an erased person's wrapped key lives in vault backups no longer than that.
 */
export async function takeVaultBackup(vault: Pool, primary: KafkaCluster, settings: VaultBackupSettings, now: () => Date): Promise<VaultBackupTaken> {
  const key = await loadVaultBackupKey(settings);
  const topics = await primary.listTopics();
  const shreddedOffsets = topics.includes(SHREDDED_KEYS_TOPIC)
    ? ((await primary.endOffsetsOf([SHREDDED_KEYS_TOPIC])).get(SHREDDED_KEYS_TOPIC) ?? []).map(String)
    : [];
  const contents = await readVault(vault);
  const id = uuidv7();
  const newest = contents.ledger
    .map((row) => row.erasedAt)
    .sort()
    .at(-1);
  const header: VaultBackupHeader = {
    id,
    takenAt: now().toISOString(),
    erasures: { ledgerSize: contents.ledger.length, ...(newest === undefined ? {} : { newestErasedAt: newest }), shreddedOffsets },
    counts: { epochs: contents.epochs.length, dataKeys: contents.dataKeys.length },
  };
  await mkdir(settings.dir, { recursive: true, mode: 0o700 });
  const file = join(settings.dir, `${id}${SUFFIX}`);
  await writeFile(`${file}.tmp`, sealVaultBackup(header, contents, key), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  for (const old of (await listVaultBackups(settings)).slice(0, -settings.retain)) await rm(join(settings.dir, `${old.id}${SUFFIX}`), { force: true });
  return { id, file, header };
}

/** The vault backups, oldest first (their clear headers; no key needed). An unreadable file is skipped. */
export async function listVaultBackups(settings: VaultBackupSettings): Promise<VaultBackupHeader[]> {
  let names: string[];
  try {
    names = await readdir(settings.dir);
  } catch {
    return [];
  }
  const headers: VaultBackupHeader[] = [];
  for (const name of names.filter((entry) => entry.endsWith(SUFFIX)).sort()) {
    try {
      headers.push(readVaultBackupHeader(await readFile(join(settings.dir, name))));
    } catch {
      // Not a vault backup (or a torn one): a restore names the id it wants, and gets VAULT_BACKUP_CORRUPT there.
    }
  }
  return headers.sort((a, b) => a.takenAt.localeCompare(b.takenAt) || a.id.localeCompare(b.id));
}

export interface VaultRestoreReport {
  backup: VaultBackupHeader;
  /** Erasures known to the restore (the backup's ledger, the backup cluster's announcements, the live ledger). */
  erasures: {
    /** Shred announcements read from the backup cluster. */
    announced: number;
    /** Subjects whose keys the backup held and that were erased after it: their keys were never written back. */
    destroyedAgain: number;
    /** Ledger rows written that the backup's ledger did not hold (erasures after the backup). */
    ledgerAdded: number;
  };
  restored: { epochs: number; dataKeys: number; ledger: number };
}

/**
 * Restores a vault backup into an empty key vault (migrated, no rows). Before a single row is written, every erasure
 * known anywhere — the backup cluster's shred announcements (all of them, not only those after the backup's recorded
 * offsets: re-applying an old one is harmless, missing one is not) and, when given, the live vault's erasure ledger —
 * is taken out of the backup's keys; then epochs, the whole ledger and the remaining keys are written in one
 * transaction. A destroyed key is never written back, so nothing can read it even for a moment.
 */
export async function restoreVaultBackup(
  target: Pool,
  settings: VaultBackupSettings,
  from: string,
  sources: { backup: KafkaCluster; liveLedger?: readonly AnnouncedErasure[]; groupId: string; timeoutMs?: number },
): Promise<VaultRestoreReport> {
  const key = await loadVaultBackupKey(settings);
  const backups = await listVaultBackups(settings);
  const chosen = from === 'latest' ? backups.at(-1) : ID.test(from) ? backups.find((backup) => backup.id === from) : undefined;
  if (chosen === undefined)
    throw from === 'latest'
      ? new AppError('VAULT_BACKUP_NONE', 'not_found', 'there is no key-vault backup to restore')
      : new AppError('VAULT_BACKUP_UNKNOWN', 'not_found', 'no key-vault backup has this id');
  const { header, contents } = openVaultBackup(await readFile(join(settings.dir, `${chosen.id}${SUFFIX}`)), key);

  const { announced, erasures: onBackup } = await readAnnouncedErasures(sources.backup, { groupId: sources.groupId, timeoutMs: sources.timeoutMs ?? 600_000 });
  const erased = new Map<string, AnnouncedErasure>();
  for (const erasure of [...(sources.liveLedger ?? []), ...onBackup]) if (!erased.has(erasure.subjectId)) erased.set(erasure.subjectId, erasure);
  const inLedger = new Set(contents.ledger.map((row) => row.subjectId));
  const keys = contents.dataKeys.filter((row) => !erased.has(row.subjectId) && !inLedger.has(row.subjectId));
  const destroyedAgain = new Set(contents.dataKeys.filter((row) => !keys.includes(row)).map((row) => row.subjectId)).size;
  const added: VaultContents['ledger'] = [];
  for (const [subjectId, erasure] of erased) {
    if (inLedger.has(subjectId)) continue;
    const held = contents.dataKeys.filter((row) => row.subjectId === subjectId);
    added.push({
      subjectId,
      keyId: held[0]?.keyId ?? null,
      erasedAt: erasure.at.toISOString(),
      reason: erasure.reason,
      keyVersions: erasure.keyVersions.length > 0 ? erasure.keyVersions : held.map((row) => row.keyVersion).sort((a, b) => a - b),
    });
  }
  const ledger = [...contents.ledger, ...added];

  await withTransaction(target, async (tx) => {
    await assertEmptyVault(tx);
    await tx.query(`INSERT INTO kek_epochs (epoch, created_at, retired_at) SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[])`, [
      contents.epochs.map((row) => row.epoch),
      contents.epochs.map((row) => row.createdAt),
      contents.epochs.map((row) => row.retiredAt),
    ]);
    for (const row of ledger) {
      await tx.query(`INSERT INTO erasure_ledger (subject_id, key_id, erased_at, reason, key_versions) VALUES ($1, $2, $3, $4, $5)`, [
        row.subjectId,
        row.keyId,
        row.erasedAt,
        row.reason,
        row.keyVersions,
      ]);
    }
    await tx.query(
      `INSERT INTO data_keys (subject_id, key_id, key_version, kek_epoch, wrapped_dek, wrap_nonce, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::bytea[], $6::bytea[], $7::timestamptz[])`,
      [
        keys.map((row) => row.subjectId),
        keys.map((row) => row.keyId),
        keys.map((row) => row.keyVersion),
        keys.map((row) => row.kekEpoch),
        keys.map((row) => Buffer.from(row.wrappedDek, 'base64')),
        keys.map((row) => Buffer.from(row.wrapNonce, 'base64')),
        keys.map((row) => row.createdAt),
      ],
    );
  });
  return {
    backup: header,
    erasures: { announced, destroyedAgain, ledgerAdded: added.length },
    restored: { epochs: contents.epochs.length, dataKeys: keys.length, ledger: ledger.length },
  };
}

/** The erasure ledger of a vault (the live one, read before a restore replaces or copies it). */
export async function readErasureLedger(vault: Pool): Promise<AnnouncedErasure[]> {
  const { rows } = await vault.query<{ subject_id: string; erased_at: Date; reason: AnnouncedErasure['reason']; key_versions: number[] }>(
    'SELECT subject_id, erased_at, reason, key_versions FROM erasure_ledger ORDER BY erased_at, subject_id',
  );
  return rows.map((row) => ({ subjectId: row.subject_id, at: row.erased_at, reason: row.reason, keyVersions: row.key_versions }));
}

/** Whether a vault holds anything (a restore writes only into an empty one). */
export async function vaultHoldsRows(vault: Pool | PoolClient): Promise<boolean> {
  const { rows } = await vault.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM kek_epochs) OR EXISTS (SELECT 1 FROM data_keys) OR EXISTS (SELECT 1 FROM erasure_ledger) AS any',
  );
  return rows[0]?.any === true;
}

async function assertEmptyVault(tx: PoolClient): Promise<void> {
  if (await vaultHoldsRows(tx)) throw new AppError('RESTORE_TARGET_NOT_EMPTY', 'conflict', 'the key vault to restore into is not empty');
}

async function readVault(vault: Pool): Promise<VaultContents> {
  return withTransaction(vault, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const epochs = await tx.query<{ epoch: number; created_at: Date; retired_at: Date | null }>(
      'SELECT epoch, created_at, retired_at FROM kek_epochs ORDER BY epoch',
    );
    const keys = await tx.query<{
      subject_id: string;
      key_id: string;
      key_version: number;
      kek_epoch: number;
      wrapped_dek: Buffer;
      wrap_nonce: Buffer;
      created_at: Date;
    }>('SELECT subject_id, key_id, key_version, kek_epoch, wrapped_dek, wrap_nonce, created_at FROM data_keys ORDER BY key_id, key_version');
    const ledger = await tx.query<{ subject_id: string; key_id: string | null; erased_at: Date; reason: string; key_versions: number[] }>(
      'SELECT subject_id, key_id, erased_at, reason, key_versions FROM erasure_ledger ORDER BY erased_at, subject_id',
    );
    return {
      epochs: epochs.rows.map((row) => ({ epoch: row.epoch, createdAt: row.created_at.toISOString(), retiredAt: row.retired_at?.toISOString() ?? null })),
      dataKeys: keys.rows.map((row) => ({
        subjectId: row.subject_id,
        keyId: row.key_id,
        keyVersion: row.key_version,
        kekEpoch: row.kek_epoch,
        wrappedDek: row.wrapped_dek.toString('base64'),
        wrapNonce: row.wrap_nonce.toString('base64'),
        createdAt: row.created_at.toISOString(),
      })),
      ledger: ledger.rows.map((row) => ({
        subjectId: row.subject_id,
        keyId: row.key_id,
        erasedAt: row.erased_at.toISOString(),
        reason: row.reason,
        keyVersions: row.key_versions,
      })),
    };
  });
}
