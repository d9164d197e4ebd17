import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Consumer } from '@platformatic/kafka';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { KafkaCluster, type IncomingMessage, type Subscription } from './index.js';

const config = testPlatformConfig();
const cluster = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'int-test' });

/** Every consumer the client library creates, as its diagnostics channel announces them. */
const consumers: Consumer[] = [];
const INSTANCES = 'plt:kafka:instances';
const onInstance = (message: unknown): void => {
  const { type, instance } = message as { type: string; instance: Consumer };
  if (type === 'consumer') consumers.push(instance);
};

beforeAll(() => subscribe(INSTANCES, onInstance));
afterAll(async () => {
  unsubscribe(INSTANCES, onInstance);
  await cluster.close();
});

describe('a batch consumer whose consumer is replaced while a batch is being handled', () => {
  let subscription: Subscription | undefined;
  afterEach(() => subscription?.stop());

  it('given the replaced consumer can no longer commit the batch, then the loop goes on and handles what comes next', async () => {
    const topic = uniqueName('it-replaced');
    const groupId = uniqueName('it-replaced-group');
    await cluster.ensureTopics([{ name: topic, partitions: 1 }]);
    const ofGroup = () => consumers.filter((consumer) => consumer.groupId === groupId);
    const handled: string[] = [];
    const errors: unknown[] = [];
    subscription = await cluster.subscribe({
      groupId,
      topics: [topic],
      startAt: 'earliest',
      commitPatienceMs: 1_000,
      onError: (error) => errors.push(error),
      handle: async (batch: IncomingMessage[]) => {
        const first = handled.length === 0;
        handled.push(...batch.map((message) => message.value.toString()));
        if (!first) return;
        // As when a rejoin fails in the background (a broker went away): the client reports it on the consumer, which
        // is replaced; this batch's offsets belong to the old one, whose commit is queued until a rejoin that never comes.
        const [old] = ofGroup();
        old!.emit('error', Object.assign(new Error('rejoin failed'), { code: 'PLT_KFK_NETWORK' }));
        await expectEventually(() => expect(ofGroup().length).toBe(2), { timeoutMs: 60_000, intervalMs: 100 });
      },
    });

    await cluster.publish(topic, [{ key: 'k', value: Buffer.from('before') }]);
    await expectEventually(() => expect(ofGroup()).toHaveLength(2), { timeoutMs: 60_000, intervalMs: 100 });
    await cluster.publish(topic, [{ key: 'k', value: Buffer.from('after') }]);

    await expectEventually(() => expect(handled).toContain('after'), { timeoutMs: 60_000, intervalMs: 200 });
    expect(handled[0]).toBe('before');
    expect(errors).toContainEqual(expect.objectContaining({ code: 'KAFKA_COMMIT_ABANDONED' }));
  }, 120_000);
});

describe('a follower whose consumer dies (a broker restart ends its stream)', () => {
  it('given its consumer closed under it, then a new one takes over and what comes next is still handed over', async () => {
    const topic = uniqueName('it-follow');
    const groupId = uniqueName('it-follow-group');
    await cluster.ensureTopics([{ name: topic, partitions: 1 }]);
    const ofGroup = () => consumers.filter((consumer) => consumer.groupId === groupId);
    const seen: string[] = [];
    const subscription = await cluster.follow(topic, (message) => seen.push(message.value.toString()), { groupId });
    try {
      await cluster.publish(topic, [{ key: 'k', value: Buffer.from('before') }]);
      await expectEventually(() => expect(seen).toContain('before'), { timeoutMs: 60_000, intervalMs: 100 });
      await ofGroup()[0]!.close(true);
      await cluster.publish(topic, [{ key: 'k', value: Buffer.from('after') }]);
      await expectEventually(() => expect(seen).toContain('after'), { timeoutMs: 60_000, intervalMs: 200 });
      expect(ofGroup().length).toBeGreaterThan(1);
    } finally {
      await subscription.stop();
    }
  }, 120_000);
});
