// The KEK rotation job against the real servers: a scratch key vault (its own database and KEK directory) on the
// platform's PostgreSQL, and BullMQ on the platform's Redis.
import { Queue } from 'bullmq';
import { PostgresKeyStore, scratchKeyVault, unwrapDek, type KekProvider, type ScratchKeyVault } from '@crm/crypto';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { KEK_ROTATION_QUEUE, KEK_ROTATION_SCHEDULER, KekRotationJobs, type KekRotationSettings } from './kek-rotation.jobs.js';

const config = testPlatformConfig('kek-rotation');
const DAY = 86_400_000;
let now = new Date('2026-03-01T03:30:00Z');
const clock = () => now;
let vault: ScratchKeyVault;
let store: PostgresKeyStore;

const settings = (prefix: string): KekRotationSettings => ({
  redis: config.redis,
  prefix,
  pattern: '30 3 * * *',
  timezone: 'UTC',
  rotationDays: 30,
  graceDays: 1,
});

interface VaultRow {
  subject_id: string;
  key_id: string;
  key_version: number;
  kek_epoch: number;
  wrapped_dek: Buffer;
  wrap_nonce: Buffer;
}

beforeAll(async () => {
  vault = await scratchKeyVault(config.postgres!);
  ({ store } = await vault.openStore({ clock }));
}, 60_000);

afterAll(() => vault.dispose());

describe('the daily KEK rotation check', () => {
  it('rotates once the epoch is 30 days old, after which a copy of the vault taken before an erasure no longer yields the erased key', async () => {
    const jobs = new KekRotationJobs(settings(uniqueName('crm-it')), store, clock);
    const [erased, kept] = [uniqueName('subject-erased'), uniqueName('subject-kept')];
    await store.dekFor(erased);
    const keptKey = (await store.dekFor(kept)).key;

    // A copy of the vault before the erasure, as a backup or a dead tuple keeps it.
    const { pool } = await vault.openStore();
    const copy = (
      await pool.query<VaultRow>('SELECT subject_id, key_id, key_version, kek_epoch, wrapped_dek, wrap_nonce FROM data_keys WHERE subject_id = $1', [erased])
    ).rows[0]!;
    await store.shred(erased, 'ERASURE_REQUEST');
    const unwrapCopy = async () =>
      unwrapDek(
        await vault.kek.kek(copy.kek_epoch),
        { subjectId: copy.subject_id, keyId: copy.key_id, keyVersion: copy.key_version, kekEpoch: copy.kek_epoch },
        {
          nonce: copy.wrap_nonce,
          ciphertext: copy.wrapped_dek,
        },
      );
    // Until the rotation the copy still opens: the erasure is not yet complete.
    await expect(unwrapCopy()).resolves.toHaveLength(32);

    now = new Date(now.getTime() + 29 * DAY);
    expect(await jobs.check()).toEqual({ verdict: { rotate: false, overdue: false, oldestLiveAgeDays: 29 }, overdue: false });
    await expect(unwrapCopy()).resolves.toHaveLength(32);

    now = new Date(now.getTime() + DAY);
    const check = await jobs.check();

    expect(check).toEqual({
      verdict: { rotate: true, overdue: false, oldestLiveAgeDays: 30 },
      rotated: { epoch: copy.kek_epoch + 1, retiredEpochs: [copy.kek_epoch], rewrapped: 1 },
      overdue: false,
    });
    await expect(unwrapCopy()).rejects.toMatchObject({ code: 'KEK_UNAVAILABLE' });
    // The person kept is readable as before, from a process that never cached the key.
    const fresh = (await vault.openStore()).store;
    expect((await fresh.dekFor(kept)).key).toEqual(keptKey);
    // The next day nothing is due.
    now = new Date(now.getTime() + DAY);
    expect(await jobs.check()).toMatchObject({ verdict: { rotate: false, overdue: false }, overdue: false });
  });

  it('raises the overdue alarm when an epoch outlived the deadline and its rotation cannot run', async () => {
    // Another process is rotating (held inside its KEK provider, after it took the vault's run lock): this check's
    // rotation is refused, as it would be while a rotation hangs, and the deadline passed meanwhile.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const held: KekProvider = {
      currentEpoch: () => vault.kek.currentEpoch(),
      kek: (epoch) => vault.kek.kek(epoch),
      createNext: async () => {
        holding = true;
        await gate;
        return vault.kek.createNext();
      },
      destroy: (epoch) => vault.kek.destroy(epoch),
    };
    const other = new PostgresKeyStore({ pool: (await vault.openStore()).pool, kek: held, clock });
    const running = other.rotateKek();
    await expectEventually(() => expect(holding).toBe(true), { timeoutMs: 10_000, intervalMs: 20 });
    const jobs = new KekRotationJobs(settings(uniqueName('crm-it')), store, clock);
    now = new Date(now.getTime() + 32 * DAY);

    try {
      expect(await jobs.check()).toMatchObject({ verdict: { rotate: true, overdue: true }, failed: 'KEK_ROTATION_IN_PROGRESS', overdue: true });
    } finally {
      release();
      await running;
    }
    // Once the other rotation finished, the deadline holds again.
    expect(await jobs.check()).toMatchObject({ verdict: { rotate: false, overdue: false }, overdue: false });
  });

  it('registers the daily schedule on BullMQ and runs a check queued on demand', async () => {
    const prefix = uniqueName('crm-it');
    const jobs = new KekRotationJobs(settings(prefix), store, clock);
    const epochBefore = Math.max(...(await store.epochs()).map((epoch) => epoch.epoch));
    now = new Date(now.getTime() + 40 * DAY);
    await jobs.onApplicationBootstrap();
    const connection = { host: config.redis.host, port: config.redis.port, password: config.redis.password.reveal() };
    const queue = new Queue(KEK_ROTATION_QUEUE, { connection, prefix });
    try {
      expect(await queue.getJobScheduler(KEK_ROTATION_SCHEDULER)).toMatchObject({ pattern: '30 3 * * *', tz: 'UTC' });
      await jobs.enqueue();
      await expectEventually(async () => expect(Math.max(...(await store.epochs()).map((epoch) => epoch.epoch))).toBe(epochBefore + 1), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await jobs.onApplicationShutdown();
    }
  }, 60_000);
});
