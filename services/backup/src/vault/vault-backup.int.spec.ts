// The key vault's own backup against the real servers: a scratch vault in the real PostgreSQL, the erasure announced
// on the real primary Kafka cluster and copied by the real mirror to the backup cluster, as in production.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresKeyStore, scratchKeyVault, ShredAnnouncer, SHREDDED_KEYS_TOPIC, type ScratchKeyVault } from '@crm/crypto';
import { KafkaCluster } from '@crm/messaging';
import type { Pool } from '@crm/postgres';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { listVaultBackups, restoreVaultBackup, takeVaultBackup, type VaultBackupSettings, type VaultRestoreReport } from './vault-backup.js';

const config = testPlatformConfig('backup', { CRM_PG_DATABASE: 'backup' });
const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: uniqueName('vault-backup-it') });
const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: uniqueName('vault-backup-it') });
const now = (): Date => new Date();
let dir: string;
let settings: VaultBackupSettings;
let source: ScratchKeyVault;
let sourcePool: Pool;
let sourceKeys: PostgresKeyStore;
const targets: ScratchKeyVault[] = [];

async function announcedOnBackup(): Promise<string[]> {
  const seen: string[] = [];
  await backup.readToEnd([SHREDDED_KEYS_TOPIC], (message) => void seen.push(message.key ?? ''), {
    groupId: uniqueName('vault-backup-it-read'),
    timeoutMs: 30_000,
  });
  return seen;
}

/** An empty, migrated vault to restore into, and a store on it that holds the source's KEK (to prove keys unwrap). */
async function emptyVault(): Promise<{ pool: Pool; keys: PostgresKeyStore }> {
  const target = await scratchKeyVault(config.postgres!);
  targets.push(target);
  const { pool } = await target.openStore();
  return { pool, keys: new PostgresKeyStore({ pool, kek: source.kek }) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-vault-backup-it-'));
  await writeFile(join(dir, 'vault-backup.key'), randomUUID() + randomUUID(), { mode: 0o600 });
  settings = { dir: join(dir, 'keyvault'), keyFile: join(dir, 'vault-backup.key'), retain: 3 };
  source = await scratchKeyVault(config.postgres!);
  ({ store: sourceKeys, pool: sourcePool } = await source.openStore());
}, 60_000);

afterAll(async () => {
  await Promise.all([source?.dispose(), ...targets.map((target) => target.dispose())]);
  await Promise.all([primary.close(), backup.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("the key vault's own backup", () => {
  const erased = `subject-${randomUUID()}`;
  const kept = `subject-${randomUUID()}`;
  const erasedBefore = `subject-${randomUUID()}`;
  let keptKey: Uint8Array;
  let report: VaultRestoreReport;
  let restored: { pool: Pool; keys: PostgresKeyStore };

  beforeAll(async () => {
    await sourceKeys.dekFor(erased);
    await sourceKeys.dekFor(erasedBefore);
    keptKey = (await sourceKeys.dekFor(kept)).key;
    await sourceKeys.shred(erasedBefore, 'RETENTION_EXPIRED');
    await new ShredAnnouncer(primary).ensureTopic(); // on a fresh cluster, so the backup has offsets to record
    await takeVaultBackup(sourcePool, primary, settings, now);
    // After the backup: the subject is erased in the vault and announced on the primary, as the shredder does.
    const shred = await sourceKeys.shred(erased, 'ERASURE_REQUEST');
    await new ShredAnnouncer(primary).announce({ subjectId: erased, shreddedAt: shred.erasedAt, keyVersions: shred.keyVersions, reason: 'ERASURE_REQUEST' });
    await expectEventually(async () => expect(await announcedOnBackup()).toContain(erased), { timeoutMs: 60_000, intervalMs: 500 });

    restored = await emptyVault();
    report = await restoreVaultBackup(restored.pool, settings, 'latest', { backup, groupId: uniqueName('vault-restore-it') });
  }, 180_000);

  it('is sealed: the file names no subject and holds no wrapped key in the clear, and records the erasures it predates', async () => {
    const [header] = (await listVaultBackups(settings)).slice(-1);
    const bytes = await readFile(join(settings.dir, `${header!.id}.vault`));
    expect(bytes.includes(Buffer.from(kept))).toBe(false);
    const { rows } = await sourcePool.query<{ wrapped_dek: Buffer }>('SELECT wrapped_dek FROM data_keys WHERE subject_id = $1', [kept]);
    expect(bytes.includes(rows[0]!.wrapped_dek)).toBe(false);
    expect(bytes.includes(Buffer.from(rows[0]!.wrapped_dek.toString('base64')))).toBe(false);
    expect(header!.erasures.ledgerSize).toBe(1);
    expect(header!.erasures.shreddedOffsets.length).toBeGreaterThan(0);
    expect(header!.counts.dataKeys).toBe(2);
  });

  it('re-applies an erasure made after the backup: the erased subject has no key in the restored vault, and the ledger says so', async () => {
    expect((await restored.pool.query('SELECT 1 FROM data_keys WHERE subject_id = $1', [erased])).rowCount).toBe(0);
    await expect(restored.keys.dekFor(erased)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    const ledger = await restored.pool.query<{ subject_id: string; reason: string }>('SELECT subject_id, reason FROM erasure_ledger ORDER BY subject_id');
    expect(ledger.rows).toEqual(
      expect.arrayContaining([
        { subject_id: erased, reason: 'ERASURE_REQUEST' },
        { subject_id: erasedBefore, reason: 'RETENTION_EXPIRED' },
      ]),
    );
    expect(report.erasures.destroyedAgain).toBe(1);
    expect(report.erasures.ledgerAdded).toBeGreaterThanOrEqual(1);
  });

  it('brings every other key back, usable with the KEK', async () => {
    expect(Buffer.from((await restored.keys.dekFor(kept)).key).equals(Buffer.from(keptKey))).toBe(true);
    expect(report.restored).toMatchObject({ epochs: 1, dataKeys: 1 });
  });

  it('re-applies an erasure the live ledger knows even when the backup cluster has no announcement of it', async () => {
    const other = `subject-${randomUUID()}`;
    await sourceKeys.dekFor(other);
    await takeVaultBackup(sourcePool, primary, settings, now);
    const shred = await sourceKeys.shred(other, 'ADMINISTRATIVE');
    const target = await emptyVault();
    await restoreVaultBackup(target.pool, settings, 'latest', {
      backup,
      groupId: uniqueName('vault-restore-it'),
      liveLedger: [{ subjectId: other, reason: 'ADMINISTRATIVE', at: shred.erasedAt, keyVersions: shred.keyVersions }],
    });
    expect((await target.pool.query('SELECT 1 FROM data_keys WHERE subject_id = $1', [other])).rowCount).toBe(0);
    await expect(target.keys.dekFor(other)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
  }, 120_000);

  it('refuses a vault that is not empty, an unknown id and a changed file, writing nothing', async () => {
    await expect(restoreVaultBackup(restored.pool, settings, 'latest', { backup, groupId: uniqueName('vault-restore-it') })).rejects.toMatchObject({
      code: 'RESTORE_TARGET_NOT_EMPTY',
    });
    const target = await emptyVault();
    await expect(restoreVaultBackup(target.pool, settings, randomUUID(), { backup, groupId: uniqueName('vault-restore-it') })).rejects.toMatchObject({
      code: 'VAULT_BACKUP_UNKNOWN',
    });
    const [header] = (await listVaultBackups(settings)).slice(-1);
    const file = join(settings.dir, `${header!.id}.vault`);
    const bytes = await readFile(file);
    bytes[bytes.length - 20]! ^= 0xff;
    await writeFile(file, bytes);
    await expect(restoreVaultBackup(target.pool, settings, header!.id, { backup, groupId: uniqueName('vault-restore-it') })).rejects.toMatchObject({
      code: 'VAULT_BACKUP_CORRUPT',
    });
    expect((await target.pool.query('SELECT 1 FROM kek_epochs')).rowCount).toBe(0);
  }, 120_000);
});
