// Restore drills against the real servers: a real snapshot restored by pgBackRest into a scratch PostgreSQL
// instance, compared with the live databases, the outcome recorded and published on the real primary Kafka cluster.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { backupApi } from '@crm/api-contract';
import { EventEnvelopeSchema, fromBinary, RestoreDrillCompletedSchema } from '@crm/contracts';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { createPool, type Pool } from '@crm/postgres';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { auditServiceHasRun } from '../../testing/audit-service.fixture.js';
import { startBackupApp, type BackupApp } from '../../testing/backup-app.fixture.js';
import { PgBackRest } from '../../snapshots/pgbackrest.cli.js';
import { pgBackRestSettings } from '../../snapshots/snapshots.module.js';
import { DrillRuns, type DrillRunView } from '../drill-runs.store.js';
import { DRILL_QUEUE, DrillJobs, WEEKLY_DRILL_SCHEDULER } from './drill.jobs.js';
import { BACKUP_EVENTS_TOPIC, BackupEvents } from '../../events/backup-events.js';
import { DrillRunner, RESTORE_RUNNER } from './drill.runner.js';
import { compareEventStreams } from './live-comparison.js';
import { holdStanza, STANZA_WAIT_MS } from '../../testing/stanza.fixture.js';

const config = testPlatformConfig('backup', { CRM_PG_DATABASE: 'backup' });
const pgbackrest = new PgBackRest(pgBackRestSettings(config));
let app: INestApplication;
let call: BackupApp['call'];

/** The drill's RestoreDrillCompleted event, as a consumer of the backup service's topic reads it. */
async function publishedOutcome(drillId: string) {
  const primary = app.get<KafkaCluster>(KAFKA_PRIMARY);
  const seen = await primary.readFromStart(BACKUP_EVENTS_TOPIC, (messages) => messages.some((message) => message.key === `drill-${drillId}`), {
    groupId: uniqueName('drill-it'),
    timeoutMs: 30_000,
  });
  const message = seen.find((candidate) => candidate.key === `drill-${drillId}`);
  if (message === undefined) throw new Error('no RestoreDrillCompleted for the drill');
  const envelope = fromBinary(EventEnvelopeSchema, message.value);
  return { envelope, event: fromBinary(RestoreDrillCompletedSchema, envelope.payload) };
}

let releaseStanza: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseStanza = await holdStanza(config);
  await auditServiceHasRun(config);
  ({ app, call } = await startBackupApp(config));
  // A snapshot to restore (pgBackRest makes it a full one when the repository has none).
  await pgbackrest.backup('diff');
}, STANZA_WAIT_MS + 300_000);

afterAll(async () => {
  await app?.close();
  await releaseStanza?.();
});

describe('the weekly restore drill', () => {
  it('is a BullMQ job scheduler on the platform Redis: Sundays at 03:00 UTC by default', async () => {
    const scheduler = await app.get(DrillJobs).queue.getJobScheduler(WEEKLY_DRILL_SCHEDULER);
    expect(scheduler).toMatchObject({ pattern: '0 3 * * 0', tz: 'UTC', template: { data: { trigger: 'schedule', requestedBy: null } } });
    expect(app.get(DrillJobs).queue.name).toBe(DRILL_QUEUE);
  });
});

describe('POST /v1/backups/drills', () => {
  it('needs backups:manage and a fresh second factor', async () => {
    expect((await call('POST', '/v1/backups/drills', ['backups:read'])).status).toBe(403);
    expect((await call('POST', '/v1/backups/drills', ['backups:manage'], { fresh: false })).status).toBe(403);
  });

  it('restores the latest snapshot into scratch, finds it equal to live with no erased subject readable, and publishes the outcome', async () => {
    const queued = await call('POST', '/v1/backups/drills', ['backups:manage']);
    expect(queued).toMatchObject({ status: 202, body: { status: 'queued' } });
    const id = String(queued.body.id);
    const drill = await expectEventually(
      async () => {
        const run = await call('GET', `/v1/backups/drills/${id}`, ['backups:read']);
        expect(['passed', 'failed']).toContain(run.body.status);
        return run.body as unknown as DrillRunView;
      },
      { timeoutMs: 600_000, intervalMs: 1_000 },
    );
    // The answer is what the gateway documents (issue 16): a finished drill with its figures.
    expect(backupApi.viewDrill.response.safeParse(drill).error?.issues).toBeUndefined();
    expect(drill).toMatchObject({ status: 'passed', failures: [], trigger: 'manual' });
    expect(drill.snapshotLabel).toMatch(/^\d{8}-\d{6}F/);
    expect(drill.figures).toMatchObject({ streamsDiffering: 0, erasedSubjectsReadable: 0 });
    expect(drill.figures!.rtoSeconds).toBeGreaterThan(0);

    const { envelope, event } = await publishedOutcome(id);
    expect(envelope.eventType).toBe('crm.backup.v1.RestoreDrillCompleted');
    expect(envelope.purpose).toBe('data-protection-oversight');
    expect(event).toMatchObject({ drillId: id, passed: true, trigger: 'manual', snapshotLabel: drill.snapshotLabel });

    const listed = await call('GET', '/v1/backups', ['backups:read']);
    expect((listed.body.drills as DrillRunView[]).map((run) => run.id)).toContain(id);
  }, 900_000);

  it('answers 404 for an unknown drill', async () => {
    expect((await call('GET', `/v1/backups/drills/${randomUUID()}`, ['backups:read'])).body).toMatchObject({ code: 'DRILL_NOT_FOUND' });
  });
});

describe('a drill that cannot restore', () => {
  it('fails with the stable code of what broke, records it and publishes it', async () => {
    const broken = new PgBackRest({ ...pgBackRestSettings(config), stanza: 'no-such-stanza' });
    const runner = new DrillRunner(
      app.get(RESTORE_RUNNER),
      broken,
      { live: config.postgres! },
      app.get(BackupEvents),
      app.get(DrillRuns),
      app.get<Clock>(CLOCK),
    );
    const drill = await runner.run({ trigger: 'manual', requestedBy: 'it-operator' });
    expect(drill).toMatchObject({ status: 'failed', failures: ['BACKUP_ARCHIVE_CHECK_FAILED'], figures: null });
    const { event } = await publishedOutcome(drill.id);
    expect(event).toMatchObject({ passed: false, failures: ['BACKUP_ARCHIVE_CHECK_FAILED'] });
  }, 120_000);
});

describe('comparing a copy with live', () => {
  // The same schema in two real databases: one plays the restored copy, the other live.
  const schema = uniqueName('drill_it').replace(/[^a-z0-9_]/g, '_');
  const pools: Pool[] = [];
  const at = (database: string) => ({ ...config.postgres!, database });

  beforeAll(async () => {
    for (const [database, rows] of [
      ['backup', `('s-1', 1, '\\x01'), ('s-1', 2, '\\x02'), ('s-2', 1, '\\x03'), ('s-3', 1, '\\x04')`],
      ['consent', `('s-1', 1, '\\x01'), ('s-1', 2, '\\xff'), ('s-2', 1, '\\x03'), ('s-2', 2, '\\x05'), ('s-3', 1, '\\x04')`],
    ] as const) {
      const pool = createPool(at(database), { max: 1 });
      pools.push(pool);
      await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.events (stream_id text, stream_version bigint, envelope bytea)`);
      await pool.query(`INSERT INTO ${schema}.events VALUES ${rows}`);
    }
  });

  afterAll(async () => {
    for (const pool of pools) {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    }
  });

  it('finds a restored stream whose history differs, and counts what live wrote since without calling it a difference', async () => {
    const comparison = await compareEventStreams(
      () => at('backup'),
      () => at('consent'),
      [{ database: 'unused', schema, topic: 'unused' }],
    );
    expect(comparison).toEqual({ streamsCompared: 3, streamsDiffering: 1, liveEventsNewer: 1 });
  });
});
