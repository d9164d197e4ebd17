import type { KafkaCluster, TopicSpec } from '@crm/messaging';
import type { KekRotation } from '../keys/key-store.port.js';
import { encodeKekRotated, KEK_ROTATED_CONTENT_TYPE, KEK_ROTATED_TYPE, kekRotatedAnnouncement } from './kek-rotated.codec.js';

export const KEK_ROTATED_TOPIC = 'crm.keys.v1.kek-rotated';

/** One partition: rotations are rare and strictly ordered. Kept forever like the shred announcements (PII-free). */
export function kekRotatedTopic(name: string = KEK_ROTATED_TOPIC): TopicSpec {
  return { name, partitions: 1, retentionMs: -1 };
}

/**
 * Tells every process that a rotation destroyed the KEKs below its new epoch, so each forgets them from its
 * `CachingKekProvider` at once instead of trusting them until their TTL runs out. `PostgresKeyStore.rotateKek`
 * calls it (option `rotationAnnouncer`) after the old KEK files are destroyed.
 */
export class KekRotationAnnouncer {
  readonly topic: TopicSpec;
  readonly #kafka: Pick<KafkaCluster, 'ensureTopics' | 'publish'>;
  #topicReady: Promise<void> | undefined;

  constructor(kafka: Pick<KafkaCluster, 'ensureTopics' | 'publish'>, options: { topic?: string } = {}) {
    this.#kafka = kafka;
    this.topic = kekRotatedTopic(options.topic);
  }

  /** Idempotent and memoised: brokers refuse to auto-create topics, so the first announcement creates it. */
  ensureTopic(): Promise<void> {
    this.#topicReady ??= this.#kafka.ensureTopics([this.topic]).catch((error: unknown) => {
      this.#topicReady = undefined;
      throw error;
    });
    return this.#topicReady;
  }

  /** Keyed by the new epoch (decimal), so a consumer that cannot decode the value still knows what to forget. */
  async announce(rotation: KekRotation): Promise<void> {
    await this.ensureTopic();
    await this.#kafka.publish(this.topic.name, [
      {
        key: String(rotation.epoch),
        value: encodeKekRotated(kekRotatedAnnouncement(rotation)),
        headers: { 'content-type': KEK_ROTATED_CONTENT_TYPE, 'message-type': KEK_ROTATED_TYPE },
      },
    ]);
  }
}
