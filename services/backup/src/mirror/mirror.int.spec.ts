// The backup service's view of the mirror, against the real primary and backup clusters. (The mirror itself does not run yet: docs/decisions/0004-backup-mirror.md.)
import type { INestApplication } from '@nestjs/common';
import { createLogger } from '@crm/logging';
import { KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import { testPlatformConfig, TestTokenIssuer, uniqueName } from '@crm/testing';
import { AppModule } from '../app.module.js';
import { MirrorStatusService, type MirrorStatusView } from './mirror-status.service.js';

const config = testPlatformConfig('backup');
const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, clientId: 'backup-mirror-int-test' });
const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, clientId: 'backup-mirror-int-test' });
const created: { cluster: KafkaCluster; topic: string }[] = [];
let app: INestApplication;
let url: string;
let issuer: TestTokenIssuer;

/** A platform-shaped topic (`crm.…`, so the mirror and the endpoint take it) that no other run uses. */
const testTopic = (what: string) => `crm.testing.${uniqueName(what).replaceAll('-', '_')}`;

async function createTopic(cluster: KafkaCluster, topic: string, partitions: number): Promise<void> {
  await cluster.ensureTopics([{ name: topic, partitions }]);
  created.push({ cluster, topic });
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

const ofTopic = (view: MirrorStatusView, topic: string) => view.partitions.filter((partition) => partition.topic === topic);

beforeAll(async () => {
  issuer = await TestTokenIssuer.create();
  const definition: ServiceDefinition = {
    service: 'backup',
    defaultPort: 0,
    needs: { postgres: true, redis: true, kafka: 'primary+backup' },
    module: () => AppModule.register(),
    verificationKeys: () => () => Promise.resolve(issuer.jwks()),
  };
  app = await createServiceApp(definition, config, createLogger({ service: 'backup', level: 'silent' }));
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
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

describe('GET /v1/backups/mirror', () => {
  it('needs backups:read', async () => {
    expect((await fetch(`${url}/v1/backups/mirror`)).status).toBe(401);
    expect((await mirrorStatus(['audit:read'])).status).toBe(403);
  });

  it('given a platform topic on the primary only, then every partition lags by all its records and the topic is named missing', async () => {
    const topic = testTopic('only-primary');
    await createTopic(primary, topic, 2);
    await primary.publish(topic, messages(7, 'p'));

    const { status, body } = await mirrorStatus();
    expect(status).toBe(200);
    // A running mirror may copy it between our write and the request; then it is not missing any more.
    if (body.missingOnBackup.includes(topic)) {
      const partitions = ofTopic(body, topic);
      expect(partitions.map((partition) => partition.backupEndOffset)).toEqual([null, null]);
      expect(partitions.reduce((sum, partition) => sum + BigInt(partition.lag), 0n)).toBe(7n);
      expect(partitions.every((partition) => partition.lag === partition.primaryEndOffset)).toBe(true);
    }
    expect(body.partitions.every((partition) => partition.topic.startsWith('crm.'))).toBe(true);
    expect(BigInt(body.totalLag)).toBe(body.partitions.reduce((sum, partition) => sum + BigInt(partition.lag), 0n));
  });

  it('given a topic on both clusters, then lag is the primary end offset minus the backup one, per partition', async () => {
    // Not a platform topic (the mirror leaves it alone), so the numbers are exactly what this test wrote.
    const topic = `it.mirror-status.${uniqueName('both')}`;
    await createTopic(primary, topic, 1);
    await createTopic(backup, topic, 1);
    await primary.publish(topic, messages(5, 'a'));
    await backup.publish(topic, messages(2, 'b'));

    const view = await app.get(MirrorStatusService).status(new RegExp(`^${topic.replaceAll('.', '\\.')}$`));
    expect(view.missingOnBackup).toEqual([]);
    expect(view.partitions).toEqual([{ topic, partition: 0, primaryEndOffset: '5', backupEndOffset: '2', lag: '3' }]);
  });
});
