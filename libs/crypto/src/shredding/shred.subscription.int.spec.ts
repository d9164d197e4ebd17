import { KafkaCluster } from '@crm/messaging';
import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { ShredAnnouncer } from './shred.announcer.js';
import { subscribeToShredAnnouncements } from './shred.subscription.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, clientId: 'shred-subscription-test' });

afterAll(() => kafka.close());

/** A real (if tiny) key cache: the set of subjects whose DEKs it holds. */
function setCache(...subjects: string[]) {
  const held = new Set(subjects);
  return { held, evict: (subjectId: string) => void held.delete(subjectId) };
}

describe('a process subscribed to shred announcements', () => {
  it('given another process shreds a subject, then this process evicts it from its caches and keeps the others', async () => {
    const topic = uniqueName('it-crm.keys.v1.shredded');
    const cache = setCache('subject-gone', 'subject-stays');
    const subscription = await subscribeToShredAnnouncements(kafka, cache, { processName: 'contacts-test', topic });
    try {
      await new ShredAnnouncer(kafka, { topic }).announce({ subjectId: 'subject-gone', shreddedAt: new Date(), keyVersions: [1], reason: 'ERASURE_REQUEST' });

      await expectEventually(() => expect(cache.held.has('subject-gone')).toBe(false), { timeoutMs: 20_000 });
      expect(cache.held.has('subject-stays')).toBe(true);
    } finally {
      await subscription.stop();
    }
  });
});
