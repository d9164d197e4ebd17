// The backup mirror (MirrorMaker 2, started by deploy/local/infra.sh beside the brokers) and the backup service's view of
// it, against the real primary and backup clusters.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { decodeEnvelope, fromBinary, MirrorRecoveredSchema, MirrorStalledSchema } from '@crm/contracts';
import { KafkaCluster, type IncomingMessage, type OutgoingMessage } from '@crm/messaging';
import { expectEventually, testEnv, testPlatformConfig, TestTokenIssuer, uniqueName } from '@crm/testing';
import { startBackupApp } from '../testing/backup-app.fixture.js';
import { MirrorStatusService, type MirrorStatusView } from './mirror-status.service.js';
import { MirrorSupervisor } from './mirror.supervisor.js';
import { BACKUP_EVENTS_TOPIC, BackupEvents } from '../events/backup-events.js';

const config = testPlatformConfig('backup');
const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'backup-mirror-int-test' });
const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'backup-mirror-int-test' });
const created: { cluster: KafkaCluster; topic: string }[] = [];
let app: INestApplication;
let url: string;
let issuer: TestTokenIssuer;

/** A platform-shaped topic (`crm.…`, so the mirror and the endpoint take it) that no other run uses. */
const testTopic = (what: string) => `crm.testing.${uniqueName(what).replaceAll('-', '_')}`;

async function createTopic(cluster: KafkaCluster, topic: string, partitions: number, retentionMs?: number): Promise<void> {
  await cluster.ensureTopics([{ name: topic, partitions, retentionMs }]);
  created.push({ cluster, topic }, { cluster: backup, topic });
}

const messages = (count: number, tag: string): OutgoingMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    key: `subject-${i % 5}`,
    value: Buffer.from(`${tag}-${i}`),
    headers: { 'event-type': 'TestHappened', 'event-id': `${tag}-${i}` },
  }));

type Permissions = Parameters<TestTokenIssuer['token']>[0]['perms'];

async function mirrorStatus(perms: Permissions = ['backups:read']): Promise<{ status: number; body: MirrorStatusView }> {
  const token = await issuer.token({ perms });
  const response = await fetch(`${url}/v1/backups/mirror`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as MirrorStatusView };
}

/** The mirror alarms' events on the backup service's topic since `since` (ms), in order (one partition). */
async function alarmEvents(since: number) {
  const alarms = (messages: readonly IncomingMessage[]) =>
    messages
      .filter((message) => message.key?.startsWith('mirror-alarm-') === true && Number(message.timestamp) >= since)
      .map((message) => decodeEnvelope(message.value))
      .map((envelope) => ({ type: envelope.payloadType, version: envelope.streamVersion, streamId: envelope.streamId, payload: envelope.payload }));
  const read = await primary.readFromStart(BACKUP_EVENTS_TOPIC, (messages) => alarms(messages).length >= 2, {
    groupId: uniqueName('mirror-alarm'),
    timeoutMs: 30_000,
  });
  return alarms(read);
}

const ofTopic = (view: MirrorStatusView, topic: string) => view.partitions.filter((partition) => partition.topic === topic);

beforeAll(async () => {
  ({ app, url, issuer } = await startBackupApp(config));
}, 60_000);

afterAll(async () => {
  await app?.close();
  for (const { cluster, topic } of created) await cluster.deleteTopics([topic]).catch(() => undefined);
  await Promise.all([primary.close(), backup.close()]);
});

describe('the backup service', () => {
  it('is ready only with the backup cluster, and says so in its readiness report', async () => {
    const ready = await fetch(`${url}/health/ready`);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(ready.status).toBe(200);
    expect(body.checks['kafka-backup']?.status).toBe('up');
  });
});

/** Per partition, in offset order: a hash of each record's key, value and headers (what a restore replays). */
function contentByPartition(records: readonly IncomingMessage[]): Map<number, string[]> {
  const byPartition = new Map<number, string[]>();
  for (const record of [...records].sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1))) {
    const digest = createHash('sha256')
      .update(JSON.stringify([record.key, record.value.toString('base64'), record.headers]))
      .digest('hex');
    byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), digest]);
  }
  return byPartition;
}

const readAll = (cluster: KafkaCluster, topic: string, count: number) =>
  cluster.readFromStart(topic, (seen) => new Set(seen.map((m) => m.headers['event-id'])).size >= count, {
    groupId: uniqueName('mirror-test-reader'),
    timeoutMs: 60_000,
  });

async function mirroredCompletely(topic: string, count: number): Promise<void> {
  await expectEventually(async () => expect(await backup.listTopics()).toContain(topic), { timeoutMs: 60_000, intervalMs: 250 });
  await expectEventually(
    async () => {
      const view = (await mirrorStatus()).body;
      const partitions = ofTopic(view, topic);
      expect(partitions.reduce((sum, partition) => sum + BigInt(partition.primaryEndOffset), 0n)).toBe(BigInt(count));
      expect(partitions.map((partition) => partition.lag)).toEqual(partitions.map(() => '0'));
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
}

const stateDir = testEnv().CRM_STATE_DIR!;
const mirrorPid = () => Number(readFileSync(join(stateDir, 'run', 'kafka-mirror.pid'), 'utf8').trim());

describe('the mirror (MirrorMaker 2, primary -> backup)', () => {
  it('copies a new platform topic: the same records per partition in the same order, and its configuration', async () => {
    const topic = testTopic('copied');
    await createTopic(primary, topic, 3, 7 * 24 * 3_600_000);
    await primary.publish(topic, messages(240, 'c'));

    await mirroredCompletely(topic, 240);
    const [onPrimary, onBackup] = await Promise.all([readAll(primary, topic, 240), readAll(backup, topic, 240)]);
    expect(onBackup.length).toBe(240);
    expect(contentByPartition(onBackup)).toEqual(contentByPartition(onPrimary));
    expect((await backup.topicConfig(topic))['retention.ms']).toBe(String(7 * 24 * 3_600_000));
  }, 180_000);

  it('killed mid-stream and started again, copies every record exactly once', async () => {
    const topic = testTopic('restarted');
    await createTopic(primary, topic, 2);
    await primary.publish(topic, messages(150, 'before'));
    // Killed as soon as it has copied something: whatever it copied since its last committed offset is what a
    // restart without exactly-once delivery copies a second time.
    await expectEventually(async () => expect(await backup.listTopics()).toContain(topic), { timeoutMs: 60_000, intervalMs: 100 });
    await backup.readFromStart(topic, (seen) => seen.length >= 1, { groupId: uniqueName('mirror-test-first'), timeoutMs: 60_000 });
    process.kill(mirrorPid(), 'SIGKILL');
    await primary.publish(topic, messages(150, 'after'));
    // The supervisor (with a 2 s window) sees records wait and no progress: the alarm.
    const supervisor = new MirrorSupervisor(
      app.get(MirrorStatusService),
      app.get(BackupEvents),
      { checkEveryMs: 3_600_000, stallAfterMs: 2_000 },
      () => new Date(),
    );
    supervisor.onApplicationBootstrap();
    const stalledAfter = Date.now();
    await expectEventually(async () => expect(await supervisor.check()).toBe('stalled'), { timeoutMs: 30_000, intervalMs: 500 });
    const started = spawnSync('bash', [join(process.cwd(), 'deploy', 'local', 'infra.sh'), 'start', 'kafka-mirror'], {
      env: { ...process.env, CRM_STATE_DIR: stateDir },
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(started.stderr + started.stdout).toMatch(/kafka-mirror\s+up/);

    await mirroredCompletely(topic, 300);
    expect(await supervisor.check()).toBe('ok');
    supervisor.onApplicationShutdown();
    // The alarm and its end are on record for the audit trail, as one alarm's stream.
    const alarm = await alarmEvents(stalledAfter);
    expect(alarm.map(({ type, version }) => [type, version])).toEqual([
      [MirrorStalledSchema.typeName, 1n],
      [MirrorRecoveredSchema.typeName, 2n],
    ]);
    const [stalled, recovered] = [fromBinary(MirrorStalledSchema, alarm[0]!.payload), fromBinary(MirrorRecoveredSchema, alarm[1]!.payload)];
    expect(stalled.totalLag).toBeGreaterThan(0n);
    expect(stalled.stallAfterMs).toBe(2_000n);
    expect(recovered.alarmId).toBe(stalled.alarmId);
    expect(alarm[0]!.streamId).toBe(`mirror-alarm-${stalled.alarmId}`);
    // Duplicates of what was copied before the kill would come, per partition, before the records written after it.
    const onBackup = await readAll(backup, topic, 300);
    expect(onBackup.length).toBe(300);
    expect(contentByPartition(onBackup)).toEqual(contentByPartition(await readAll(primary, topic, 300)));
  }, 300_000);
});

describe('GET /v1/backups/mirror', () => {
  it('needs backups:read', async () => {
    expect((await fetch(`${url}/v1/backups/mirror`)).status).toBe(401);
    expect((await mirrorStatus(['audit:read'])).status).toBe(403);
  });

  it('reports every platform topic of the primary, per partition, with a lag that adds up', async () => {
    const topic = testTopic('reported');
    await createTopic(primary, topic, 2);
    await primary.publish(topic, messages(7, 'r'));

    const { status, body } = await mirrorStatus();
    expect(status).toBe(200);
    expect(body.engine).toBe('MirrorMaker 2');
    expect(ofTopic(body, topic).map((partition) => partition.partition)).toEqual([0, 1]);
    expect(body.partitions.every((partition) => partition.topic.startsWith('crm.'))).toBe(true);
    expect(body.partitions.every((partition) => BigInt(partition.lag) === BigInt(partition.primaryEndOffset) - BigInt(partition.mirroredUpTo))).toBe(true);
    expect(BigInt(body.totalLag)).toBe(body.partitions.reduce((sum, partition) => sum + BigInt(partition.lag), 0n));
  });

  it('leaves topics outside the platform alone', async () => {
    const topic = `it.mirror-status.${uniqueName('outside')}`;
    await createTopic(primary, topic, 1);
    await primary.publish(topic, messages(3, 'o'));
    const { body } = await mirrorStatus();
    expect(ofTopic(body, topic)).toEqual([]);
    expect(await backup.listTopics()).not.toContain(topic);
  });
});
