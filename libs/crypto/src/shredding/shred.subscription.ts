import { randomUUID } from 'node:crypto';
import type { KafkaCluster, Subscription } from '@crm/messaging';
import type { KeyCache } from '../keys/key-store.port.js';
import { shreddedKeysTopic, SHREDDED_KEYS_TOPIC } from './shred.announcer.js';
import { ShredListener } from './shred.listener.js';

export interface ShredSubscriptionOptions {
  /** Names the process in the consumer group id (e.g. the service), for operators reading group lists. */
  processName: string;
  topic?: string;
}

/**
 * Keeps one process's key caches honest: every process must see every announcement, so each subscribes under a
 * consumer group of its own. It starts at the topic's end because a process that just started has nothing cached;
 * announcements made before it started concern keys it never held.
 */
export async function subscribeToShredAnnouncements(
  kafka: Pick<KafkaCluster, 'ensureTopics' | 'subscribe'>,
  caches: KeyCache | readonly KeyCache[],
  options: ShredSubscriptionOptions,
): Promise<Subscription> {
  const topic = shreddedKeysTopic(options.topic ?? SHREDDED_KEYS_TOPIC);
  await kafka.ensureTopics([topic]);
  const listener = new ShredListener(caches);
  return kafka.subscribe({
    groupId: `key-eviction.${options.processName}.${randomUUID()}`,
    topics: [topic.name],
    startAt: 'latest',
    handle: async (batch) => {
      listener.handle(batch);
    },
  });
}
