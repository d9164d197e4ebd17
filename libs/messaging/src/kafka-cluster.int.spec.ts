import { expectEventually, openSocketsTo, testPlatformConfig, uniqueName } from '@crm/testing';
import { KafkaCluster, KafkaHealthCheck } from './index.js';

const config = testPlatformConfig();
const clusters = {
  primary: new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'int-test' }),
  backup: new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'int-test' }),
};

afterAll(async () => {
  await Promise.all(Object.values(clusters).map((cluster) => cluster.close()));
});

describe.each(['primary', 'backup'] as const)('the %s Kafka cluster', (name) => {
  const cluster = clusters[name];

  it('answers a metadata request (readiness)', async () => {
    await expect(new KafkaHealthCheck(cluster).check()).resolves.toBeUndefined();
  });

  it('given a new topic, when keyed messages are produced, then a consumer reads them back in order per key', async () => {
    const topic = uniqueName(`it-${name}`);
    await cluster.ensureTopics([{ name: topic, partitions: 3 }]);
    const sent = Array.from({ length: 6 }, (_, i) => ({
      key: `subject-${i % 2}`,
      value: Buffer.from(`event-${i}`),
      headers: { 'event-type': 'TestHappened', index: String(i) },
    }));

    await cluster.publish(topic, sent);
    const received = await cluster.readFromStart(topic, (seen) => seen.length >= sent.length, {
      groupId: uniqueName('it-reader'),
      timeoutMs: 20_000,
    });

    expect(received).toHaveLength(sent.length);
    for (const key of ['subject-0', 'subject-1']) {
      const ofKey = received.filter((message) => message.key === key);
      expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
      expect(ofKey.map((message) => message.value.toString())).toEqual(sent.filter((m) => m.key === key).map((m) => m.value.toString()));
    }
    expect(received.find((message) => message.value.toString() === 'event-3')?.headers).toEqual({ 'event-type': 'TestHappened', index: '3' });
  });

  it('creating the same topics twice is harmless', async () => {
    const topic = uniqueName(`it-${name}-twice`);
    await cluster.ensureTopics([{ name: topic, partitions: 2 }]);
    await cluster.ensureTopics([{ name: topic, partitions: 2 }]);
    expect(await cluster.listTopics()).toContain(topic);
  });

  it('several processes creating the same new topics at once all succeed (a fresh platform starting)', async () => {
    const topics = [uniqueName(`it-${name}-race-a`), uniqueName(`it-${name}-race-b`)].map((topic) => ({ name: topic, partitions: 3 }));
    const starters = Array.from(
      { length: 6 },
      (_, i) =>
        new KafkaCluster({
          name,
          brokers: name === 'primary' ? config.kafka.primaryBrokers : config.kafka.backupBrokers,
          sasl: config.kafka.sasl,
          clientId: `int-test-race-${i}`,
        }),
    );
    try {
      const outcomes = await Promise.allSettled(starters.map((starter) => starter.ensureTopics(topics)));
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect(await cluster.listTopics()).toEqual(expect.arrayContaining(topics.map((topic) => topic.name)));
    } finally {
      await Promise.all(starters.map((starter) => starter.close()));
    }
  });
});

describe('publishing to a topic that does not exist (auto-creation is off)', () => {
  it('fails with a stable retriable code instead of hanging, and the cluster stays usable', async () => {
    const impatient = new KafkaCluster({
      name: 'primary',
      brokers: config.kafka.primaryBrokers,
      sasl: config.kafka.sasl,
      clientId: 'int-test-missing',
      publishTimeoutMs: 2_000,
    });
    try {
      const failure = (await impatient.publish(uniqueName('it-missing'), [{ key: 'k', value: Buffer.from('v') }]).then(
        () => undefined,
        (error: unknown) => error,
      )) as { code?: string; retriable?: boolean } | undefined;
      // Whichever comes first: the client's own refusal or our deadline.
      expect(['KAFKA_PUBLISH_FAILED', 'KAFKA_PUBLISH_TIMEOUT']).toContain(failure?.code);
      expect(failure?.retriable).toBe(true);
      const topic = uniqueName('it-after-timeout');
      await impatient.ensureTopics([{ name: topic, partitions: 1 }]);
      await impatient.publish(topic, [{ key: 'k', value: Buffer.from('v') }]);
    } finally {
      await impatient.close();
    }
  });
});

describe('two clusters', () => {
  it('are independent: a topic created on the primary does not exist on the backup', async () => {
    const topic = uniqueName('it-only-primary');
    await clusters.primary.ensureTopics([{ name: topic, partitions: 1 }]);

    expect(await clusters.primary.listTopics()).toContain(topic);
    expect(await clusters.backup.listTopics()).not.toContain(topic);
  });
});

const socketsToPrimary = (): number => openSocketsTo(config.kafka.primaryBrokers);

describe('a consumer that cannot start (its topic does not exist)', () => {
  // A consumer left open keeps its sockets and the process alive after the tests (Jest "did not exit").
  const cluster = clusters.primary;

  it('given a subscription, then it fails and leaves no connection to the broker open', async () => {
    await cluster.ping();
    const before = socketsToPrimary();
    const failure = await cluster
      .subscribe({ groupId: uniqueName('it-missing-group'), topics: [uniqueName('it-missing')], startAt: 'earliest', handle: async () => undefined })
      .then(
        (subscription) => subscription.stop().then(() => 'subscribed'),
        (error: unknown) => error,
      );

    expect(failure).toBeInstanceOf(Error);
    await expectEventually(() => expect(socketsToPrimary()).toBe(before), { timeoutMs: 10_000, intervalMs: 50 });
  });

  it('given a follow, then it fails and leaves no connection to the broker open', async () => {
    await cluster.ping();
    const before = socketsToPrimary();
    const failure = await cluster
      .follow(uniqueName('it-missing'), () => undefined, { groupId: uniqueName('it-missing-follower') })
      .then(
        (subscription) => subscription.stop().then(() => 'followed'),
        (error: unknown) => error,
      );

    expect(failure).toBeInstanceOf(Error);
    await expectEventually(() => expect(socketsToPrimary()).toBe(before), { timeoutMs: 10_000, intervalMs: 50 });
  });

  it('given a read from the start, then it fails and leaves no connection to the broker open', async () => {
    await cluster.ping();
    const before = socketsToPrimary();
    const failure = await cluster
      .readFromStart(uniqueName('it-missing'), () => true, { groupId: uniqueName('it-missing-reader'), timeoutMs: 5_000 })
      .then(
        () => 'read',
        (error: unknown) => error,
      );

    expect(failure).toBeInstanceOf(Error);
    await expectEventually(() => expect(socketsToPrimary()).toBe(before), { timeoutMs: 10_000, intervalMs: 50 });
  });
});
