// Snapshots against the real servers: pgBackRest backs up the real cluster into its (encrypted) repository, BullMQ
// runs the jobs on the real Redis, the runs are recorded in the backup service's database.
import type { INestApplication } from '@nestjs/common';
import { backupApi } from '@crm/api-contract';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { expectEventually, testPlatformConfig } from '@crm/testing';
import { startBackupApp, type BackupApp } from '../../testing/backup-app.fixture.js';
import { PgBackRest } from '../pgbackrest.cli.js';
import { SnapshotRuns, type SnapshotRunView } from '../snapshot-runs.store.js';
import { pgBackRestSettings } from '../snapshots.module.js';
import { NIGHTLY_SCHEDULER, SnapshotJobs } from './snapshot.jobs.js';
import { SnapshotRunner, VAULT_BACKUP } from './snapshot.runner.js';
import { holdStanza, STANZA_WAIT_MS } from '../../testing/stanza.fixture.js';

// The service's own (migrated) database; a BullMQ prefix of this run's, so no other worker takes its jobs.
const config = testPlatformConfig('backup', { CRM_PG_DATABASE: 'backup' });
const pgbackrest = new PgBackRest(pgBackRestSettings(config));
let app: INestApplication;
let call: BackupApp['call'];

async function snapshotTaken(type: 'full' | 'diff'): Promise<SnapshotRunView> {
  const queued = await call('POST', '/v1/backups/snapshots', ['backups:manage'], { body: { type } });
  expect(queued).toMatchObject({ status: 202, body: { status: 'queued' } });
  expect(backupApi.takeSnapshot.response.safeParse(queued.body).error?.issues).toBeUndefined();
  const run = await expectEventually(
    async () => {
      const answer = await call('GET', `/v1/backups/snapshots/${String(queued.body.id)}`, ['backups:read']);
      expect(answer.body.status).toBe('completed');
      return answer.body;
    },
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  // The answer is what the gateway documents (issue 16): a completed run, every field of it (checked once it is done,
  // so that a mismatch fails at once instead of being polled until the timeout).
  expect(backupApi.viewSnapshot.response.safeParse(run).error?.issues).toBeUndefined();
  return run as unknown as SnapshotRunView;
}

let releaseStanza: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseStanza = await holdStanza(config);
  ({ app, call } = await startBackupApp(config));
}, STANZA_WAIT_MS + 60_000);

afterAll(async () => {
  await app?.close();
  await releaseStanza?.();
});

describe('the nightly snapshot', () => {
  it('is a BullMQ job scheduler on the platform Redis: every night at 02:00 UTC by default, an auto snapshot', async () => {
    const scheduler = await app.get(SnapshotJobs).queue.getJobScheduler(NIGHTLY_SCHEDULER);
    expect(scheduler).toMatchObject({ pattern: '0 2 * * *', tz: 'UTC', template: { data: { type: 'auto', trigger: 'schedule' } } });
    expect(scheduler?.next).toBeGreaterThan(Date.now());
  });
});

describe('POST /v1/backups/snapshots', () => {
  it('needs backups:manage and a fresh second factor, and a known type', async () => {
    expect((await call('POST', '/v1/backups/snapshots', ['backups:read'], { body: { type: 'full' } })).status).toBe(403);
    expect((await call('POST', '/v1/backups/snapshots', ['backups:manage'], { body: { type: 'full' }, fresh: false })).status).toBe(403);
    expect(await call('POST', '/v1/backups/snapshots', ['backups:manage'], { body: { type: 'weekly' } })).toMatchObject({
      status: 400,
      body: { code: 'SNAPSHOT_TYPE_INVALID' },
    });
    // A body that is not an object names no type: refused, not read as the default (a snapshot of every database).
    expect(await call('POST', '/v1/backups/snapshots', ['backups:manage'], { body: ['full'] })).toMatchObject({
      status: 400,
      body: { code: 'SNAPSHOT_TYPE_INVALID' },
    });
  });

  it('takes a full snapshot, verified, with the Kafka offsets it is consistent with, then a differential one on top', async () => {
    const full = await snapshotTaken('full');
    expect(full).toMatchObject({ type: 'full', trigger: 'manual', verified: true, errorCode: null });
    expect(full.label).toMatch(/^\d{8}-\d{6}F$/);
    expect(Object.keys(full.kafkaOffsets).length).toBeGreaterThan(0);
    expect(Object.keys(full.kafkaOffsets).every((topic) => topic.startsWith('crm.'))).toBe(true);

    const diff = await snapshotTaken('diff');
    expect(diff).toMatchObject({ type: 'diff', verified: true });
    expect(diff.label).toMatch(new RegExp(`^${full.label!}_\\d{8}-\\d{6}D$`));

    const inRepository = (await pgbackrest.info()).map((backup) => backup.label);
    expect(inRepository).toEqual(expect.arrayContaining([full.label, diff.label]));
    const listed = await call('GET', '/v1/backups', ['backups:read']);
    expect(backupApi.backupsOverview.response.safeParse(listed.body).error?.issues).toBeUndefined();
    expect((listed.body.snapshots as SnapshotRunView[]).slice(0, 2).map((run) => run.id)).toEqual([diff.id, full.id]);
    expect(listed.body.mirror).toMatchObject({ engine: 'MirrorMaker 2' });
    // Each run also backed the key vault up on its own: listed with the erasures it predates, no content.
    const [vault] = listed.body.vaultBackups as Array<{ takenAt: string; erasures: { ledgerSize: number }; counts: { dataKeys: number } }>;
    expect(Date.parse(vault!.takenAt)).toBeGreaterThanOrEqual(Date.parse(diff.startedAt));
    expect(vault).toMatchObject({ erasures: { ledgerSize: expect.any(Number) }, counts: { dataKeys: expect.any(Number) } });
  }, 600_000);

  it('records a run that fails, with its stable code', async () => {
    const broken = new SnapshotRunner(
      new PgBackRest({ ...pgBackRestSettings(config), stanza: 'no-such-stanza' }),
      app.get<KafkaCluster>(KAFKA_PRIMARY),
      app.get(SnapshotRuns),
      () => new Date(),
      app.get(VAULT_BACKUP),
    );
    const id = crypto.randomUUID();
    await expect(broken.take({ id, type: 'full', trigger: 'manual', requestedBy: null })).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
    expect(await app.get(SnapshotRuns).byId(id)).toMatchObject({ status: 'failed', errorCode: 'SNAPSHOT_FAILED', label: null });
  });

  it('answers 404 for an unknown snapshot', async () => {
    expect((await call('GET', `/v1/backups/snapshots/${crypto.randomUUID()}`, ['backups:read'])).body).toMatchObject({ code: 'SNAPSHOT_NOT_FOUND' });
    expect((await call('GET', '/v1/backups/snapshots/latest', ['backups:read'])).status).toBe(404);
  });
});
