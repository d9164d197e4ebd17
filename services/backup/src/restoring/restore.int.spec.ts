// A restore against the real servers: pgBackRest backs up the real cluster and restores it into a scratch
// PostgreSQL instance; the erasure announcements and events come through the real mirror from the primary Kafka
// cluster to the backup cluster, as in production.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { create, EventEnvelopeSchema, timestampFromDate, toBinary } from '@crm/contracts';
import { envelopeHeaders, eventStoreMigrations } from '@crm/eventstore';
import { runMigrations } from '@crm/migrations';
import { scratchKeyVault, ShredAnnouncer, SHREDDED_KEYS_TOPIC, type ScratchKeyVault } from '@crm/crypto';
import { KafkaCluster } from '@crm/messaging';
import { createPool, type Pool } from '@crm/postgres';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { PgBackRest } from '../snapshots/pgbackrest.cli.js';
import { pgBackRestSettings } from '../snapshots/snapshots.module.js';
import { auditServiceHasRun } from '../testing/audit-service.fixture.js';
import { auditVerifierPath } from './audit.check.js';
import type { EventStoreLocation } from './event-gap.scan.js';
import { RestoreRunner, type RestoreReport } from './restore.runner.js';
import { postgresBin, scratchRoot, type ScratchCluster } from './scratch-cluster.js';
import { holdStanza, STANZA_WAIT_MS } from '../testing/stanza.fixture.js';

const config = testPlatformConfig('backup', { CRM_PG_DATABASE: 'backup' });
const settings = pgBackRestSettings(config);
const pgbackrest = new PgBackRest(settings);
const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: uniqueName('restore-it') });
const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: uniqueName('restore-it') });
const schema = uniqueName('restore_it').replace(/[^a-z0-9_]/g, '_');
const store: EventStoreLocation = { database: 'backup', schema, topic: `crm.testing.v1.${schema.replace(/_/g, '-')}` };
let vault: ScratchKeyVault;
let live: Pool;

function runner(stores: readonly EventStoreLocation[] = [store]): RestoreRunner {
  return new RestoreRunner({
    pgbackrest,
    tools: { pgBin: postgresBin(), runAs: settings.runAs },
    stateDir: config.stateDir,
    live: config.postgres!,
    backup,
    auditVerifier: auditVerifierPath(),
    stores,
    keyVaultDatabase: vault.database,
  });
}

/** An event as a service writes it: a row in its store, then the record its outbox publishes. */
async function written(eventId: string): Promise<void> {
  await live.query(`INSERT INTO ${schema}.events (event_id) VALUES ($1)`, [eventId]);
  await primary.publish(store.topic, [{ key: 'subject', value: Buffer.from(eventId), headers: { 'event-id': eventId } }]);
}

async function onBackup(topic: string): Promise<string[]> {
  const seen: string[] = [];
  await backup.readToEnd([topic], (message) => void seen.push(message.headers['event-id'] ?? message.key ?? ''), {
    groupId: uniqueName('restore-it-read'),
    timeoutMs: 30_000,
  });
  return seen;
}

let releaseStanza: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseStanza = await holdStanza(config);
  await auditServiceHasRun(config);
  live = createPool(config.postgres!, { max: 2 });
  await live.query(
    `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.events (event_id uuid PRIMARY KEY, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  await primary.ensureTopics([{ name: store.topic, partitions: 2 }]);
  vault = await scratchKeyVault(config.postgres!);
}, STANZA_WAIT_MS);

afterAll(async () => {
  await live?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Promise.all([
    live?.end(),
    vault?.dispose(),
    primary.deleteTopics([store.topic]).catch(() => undefined),
    backup.deleteTopics([store.topic]).catch(() => undefined),
  ]);
  await Promise.all([primary.close(), backup.close()]);
  await releaseStanza?.();
});

describe('a restore into scratch', () => {
  const erased = `subject-${randomUUID()}`;
  const kept = `subject-${randomUUID()}`;
  const before = [randomUUID(), randomUUID()];
  const after = randomUUID();
  let report: RestoreReport;
  let cluster: ScratchCluster;
  let restoredVault: Pool;

  beforeAll(async () => {
    const { store: keys } = await vault.openStore();
    await keys.dekFor(erased);
    await keys.dekFor(kept);
    for (const id of before) await written(id);
    await pgbackrest.backup('full');
    const until = new Date();
    // After the restore point: an erasure (announced on the primary, as the shredder does) and an event.
    const shred = await keys.shred(erased, 'ERASURE_REQUEST');
    // Through the real announcer, which creates the topic on a fresh cluster where no shredder has run yet (CI).
    await new ShredAnnouncer(primary).announce({ subjectId: erased, shreddedAt: shred.erasedAt, keyVersions: shred.keyVersions, reason: 'ERASURE_REQUEST' });
    await written(after);
    // The WAL past the restore point is archived (recovery must see a commit after --until to stop there) and the
    // mirror has copied everything: what a restore needs to be exact.
    await pgbackrest.check();
    await expectEventually(async () => expect(await onBackup(store.topic)).toHaveLength(3), { timeoutMs: 60_000, intervalMs: 500 });
    await expectEventually(async () => expect(await onBackup(SHREDDED_KEYS_TOPIC)).toContain(erased), { timeoutMs: 60_000, intervalMs: 500 });

    ({ report, cluster } = await runner().toScratch({ from: 'latest', until }));
    restoredVault = createPool(cluster.settings(vault.database), { max: 1 });
  }, 600_000);

  afterAll(async () => {
    await restoredVault?.end();
    await cluster?.discard();
  });

  it('brings the database back as it was at --until, from the newest snapshot before it', async () => {
    const restored = createPool(cluster.settings('backup'), { max: 1 });
    try {
      const { rows } = await restored.query<{ event_id: string }>(`SELECT event_id FROM ${schema}.events ORDER BY event_id`);
      expect(rows.map((row) => row.event_id)).toEqual([...before].sort());
    } finally {
      await restored.end();
    }
    expect(report.target).toMatchObject({ type: 'time' });
  });

  it('applies again an erasure that happened after the snapshot: the restored vault holds no key of the erased subject', async () => {
    const keysOf = async (subject: string) => (await restoredVault.query('SELECT 1 FROM data_keys WHERE subject_id = $1', [subject])).rowCount;
    expect(await keysOf(erased)).toBe(0);
    expect(await keysOf(kept)).toBe(1);
    const ledger = await restoredVault.query<{ reason: string }>('SELECT reason FROM erasure_ledger WHERE subject_id = $1', [erased]);
    expect(ledger.rows).toEqual([{ reason: 'ERASURE_REQUEST' }]);
    expect(report.erasures.destroyedAgain).toBeGreaterThanOrEqual(1);
  });

  it('finds the event on the backup cluster that the restore point does not hold, and reports the RPO from it', () => {
    // The event after --until is not replayed (and this one is no service's envelope: it could not be anyway).
    expect(report.events.stores).toEqual([{ topic: store.topic, onBackup: 3, restored: 2, replayed: 0, missing: 1, inStore: 2 }]);
    expect(report.rpoSeconds).toBeGreaterThan(0);
    expect(report.rtoSeconds).toBeGreaterThan(0);
  });
});

describe('a restore that replays the events written after the snapshot', () => {
  // A real event store (the services' own migrations) and envelopes as the outbox publishes them.
  const replaySchema = `${schema}_r`;
  const replayStore: EventStoreLocation = { database: 'backup', schema: replaySchema, topic: `${store.topic}-r` };
  const stream = `sample-${randomUUID()}`;
  let report: RestoreReport;
  let cluster: ScratchCluster;

  function envelope(version: number, occurredAt: Date): { id: string; bytes: Buffer } {
    const id = randomUUID();
    const bytes = toBinary(
      EventEnvelopeSchema,
      create(EventEnvelopeSchema, {
        eventId: id,
        eventType: 'crm.testing.v1.SampleRecorded',
        schemaVersion: 1,
        streamId: stream,
        streamVersion: BigInt(version),
        subjectId: `subject-${stream}`,
        occurredAt: timestampFromDate(occurredAt),
      }),
    );
    return { id, bytes: Buffer.from(bytes) };
  }

  async function published(event: { id: string; bytes: Buffer }): Promise<void> {
    await primary.publish(replayStore.topic, [{ key: stream, value: event.bytes, headers: envelopeHeaders('crm.testing.v1.SampleRecorded', event.id) }]);
  }

  const first = envelope(1, new Date());
  let second: { id: string; bytes: Buffer };
  let third: { id: string; bytes: Buffer };

  beforeAll(async () => {
    await runMigrations(config.postgres!, { database: 'backup', schema: replaySchema, migrations: eventStoreMigrations });
    await primary.ensureTopics([{ name: replayStore.topic, partitions: 2 }]);
    // Before the snapshot: appended to the store (as the services do) and published.
    await live.query(
      `INSERT INTO ${replaySchema}.events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, envelope) VALUES ($1, $2, 1, $3, $4, now(), $5)`,
      [first.id, stream, 'crm.testing.v1.SampleRecorded', `subject-${stream}`, first.bytes],
    );
    await published(first);
    await pgbackrest.backup('full');
    const until = new Date();
    // After the snapshot, acknowledged and mirrored but lost with the primary's last WAL: on Kafka only. The second
    // happened before --until, the third after it.
    second = envelope(2, new Date(until.getTime() - 1));
    third = envelope(3, new Date(until.getTime() + 600_000));
    await published(second);
    await published(third);
    await live.query(`INSERT INTO ${schema}.events (event_id) VALUES ($1)`, [randomUUID()]); // a commit after --until
    await pgbackrest.check();
    await expectEventually(async () => expect(await onBackup(replayStore.topic)).toHaveLength(3), { timeoutMs: 60_000, intervalMs: 500 });

    ({ report, cluster } = await runner([replayStore]).toScratch({ from: 'latest', until }));
  }, 600_000);

  afterAll(async () => {
    await cluster?.discard();
    await live?.query(`DROP SCHEMA IF EXISTS ${replaySchema} CASCADE`);
    await Promise.all([primary.deleteTopics([replayStore.topic]).catch(() => undefined), backup.deleteTopics([replayStore.topic]).catch(() => undefined)]);
  });

  it('writes into the restored store, byte for byte, the events the backup cluster holds past the snapshot up to --until', async () => {
    const restored = createPool(cluster.settings('backup'), { max: 1 });
    try {
      const { rows } = await restored.query<{ event_id: string; stream_version: string; envelope: Buffer; subject_id: string }>(
        `SELECT event_id, stream_version::text, envelope, subject_id FROM ${replaySchema}.events WHERE stream_id = $1 ORDER BY stream_version`,
        [stream],
      );
      expect(rows.map((row) => [row.event_id, row.stream_version])).toEqual([
        [first.id, '1'],
        [second.id, '2'],
      ]);
      expect(rows[1]!.envelope.equals(second.bytes)).toBe(true);
      expect(rows[1]!.subject_id).toBe(`subject-${stream}`);
      // Marked for its service, whose state rows are the snapshot's: it refolds the stream at its next start.
      const marked = await restored.query<{ stream_id: string; version: string; from_version: string }>(
        `SELECT stream_id, version::text, from_version::text FROM ${replaySchema}.replayed_streams`,
      );
      expect(marked.rows).toEqual([{ stream_id: stream, version: '2', from_version: '2' }]);
    } finally {
      await restored.end();
    }
    expect(report.events.stores).toEqual([{ topic: replayStore.topic, onBackup: 3, restored: 1, replayed: 1, missing: 1, inStore: 2 }]);
  });
});

describe('a restore that cannot be done', () => {
  it('refuses an unknown snapshot with a stable code and leaves no scratch files behind', async () => {
    const root = scratchRoot(config.stateDir, settings.runAs);
    const entries = existsSync(root) ? readdirSync(root).length : 0;
    await expect(runner().toScratch({ from: '20200101-000000F' })).rejects.toMatchObject({ code: 'RESTORE_SNAPSHOT_UNKNOWN' });
    expect(readdirSync(root)).toHaveLength(entries);
  });
});
