import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KAFKA_PRIMARY, KafkaCluster } from '@crm/messaging';
import { KafkaEventTransport } from '@crm/processing';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { ShredAnnouncer } from './shred.announcer.js';
import { SHRED_EVICTION, ShredReactor, type ShredEviction } from './shred.reactor.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'shred-reactor-test' });

afterAll(() => kafka.close());

/** A real (if tiny) key cache: the set of subjects whose DEKs it holds. */
function setCache(...subjects: string[]) {
  const held = new Set(subjects);
  return { held, evict: (subjectId: string) => void held.delete(subjectId) };
}

/** The reactor hosted the way services host it: a Nest microservice on the Kafka event transport. */
async function host(eviction: ShredEviction): Promise<INestMicroservice> {
  @Module({
    controllers: [ShredReactor],
    providers: [
      { provide: SHRED_EVICTION, useValue: eviction },
      { provide: KAFKA_PRIMARY, useValue: kafka },
    ],
  })
  class ShredProbeModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice(ShredProbeModule, {
    strategy: new KafkaEventTransport({ kafka, resolve: <T>(token: unknown): T => app.get<T>(token as string, { strict: false }) }),
    logger: false,
  });
  await app.listen();
  return app;
}

/**
 * The reactor starts at the topic's end, and joining the group takes a moment: an announcement made before it is
 * positioned is (rightly) never seen. So the announcement is repeated until it lands: evicting is idempotent.
 */
async function announceUntilEvicted(cache: { held: Set<string> }, subjectId: string, announce: () => Promise<void>): Promise<void> {
  await expectEventually(
    async () => {
      if (cache.held.has(subjectId)) await announce();
      expect(cache.held.has(subjectId)).toBe(false);
    },
    { timeoutMs: 30_000, intervalMs: 1_000 },
  );
}

describe('a process running the shred reactor', () => {
  it('given another process shreds a subject, then this process evicts it from its caches and keeps the others', async () => {
    const topic = uniqueName('it-crm.keys.v1.shredded');
    const cache = setCache('subject-gone', 'subject-stays');
    const app = await host({ processName: 'contacts-test', caches: cache, topic });
    try {
      const announcer = new ShredAnnouncer(kafka, { topic });
      await announceUntilEvicted(cache, 'subject-gone', () =>
        announcer.announce({ subjectId: 'subject-gone', shreddedAt: new Date(), keyVersions: [1], reason: 'ERASURE_REQUEST' }),
      );

      expect(cache.held.has('subject-stays')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('given an announcement whose value does not decode, then the subject in its key is still evicted and nothing is dead-lettered', async () => {
    const topic = uniqueName('it-crm.keys.v1.shredded');
    const cache = setCache('subject-gone', 'subject-stays');
    const app = await host({ processName: 'contacts-test', caches: cache, topic });
    try {
      await announceUntilEvicted(cache, 'subject-gone', () => kafka.publish(topic, [{ key: 'subject-gone', value: Buffer.from('a newer encoding') }]));

      expect(cache.held.has('subject-stays')).toBe(true);
      expect(await kafka.listTopics()).not.toContain(`${topic}.dlq`);
    } finally {
      await app.close();
    }
  });
});
