import type { KafkaCluster, TopicSpec } from '@crm/messaging';
import {
  protobufShredAnnouncementCodec,
  SUBJECT_KEY_SHREDDED_TYPE,
  type ShredAnnouncementCodec,
  type SubjectKeyShredded,
} from './subject-key-shredded.codec.js';

export const SHREDDED_KEYS_TOPIC = 'crm.keys.v1.shredded';

/**
 * Kept forever like the event topics: a process that starts from offset 0 (or a restored environment) learns every
 * erasure, and the messages are PII-free so keeping them costs no privacy.
 */
export function shreddedKeysTopic(name: string = SHREDDED_KEYS_TOPIC, partitions = 3): TopicSpec {
  return { name, partitions, retentionMs: -1 };
}

export interface ShredAnnouncerOptions {
  topic?: string;
  partitions?: number;
  codec?: ShredAnnouncementCodec;
}

/** Tells every process that a subject's keys are gone, so each evicts the DEK from its cache. */
export class ShredAnnouncer {
  readonly topic: TopicSpec;
  readonly #kafka: Pick<KafkaCluster, 'ensureTopics' | 'publish'>;
  readonly #codec: ShredAnnouncementCodec;
  #topicReady: Promise<void> | undefined;

  constructor(kafka: Pick<KafkaCluster, 'ensureTopics' | 'publish'>, options: ShredAnnouncerOptions = {}) {
    this.#kafka = kafka;
    this.topic = shreddedKeysTopic(options.topic, options.partitions);
    this.#codec = options.codec ?? protobufShredAnnouncementCodec;
  }

  /** Idempotent and memoised: brokers refuse to auto-create topics, so the first announcement creates it. */
  ensureTopic(): Promise<void> {
    this.#topicReady ??= this.#kafka.ensureTopics([this.topic]).catch((error: unknown) => {
      this.#topicReady = undefined;
      throw error;
    });
    return this.#topicReady;
  }

  /** Keyed by subject id, so announcements for one subject stay in order on one partition. */
  async announce(announcement: SubjectKeyShredded): Promise<void> {
    await this.ensureTopic();
    await this.#kafka.publish(this.topic.name, [
      {
        key: announcement.subjectId,
        value: this.#codec.encode(announcement),
        headers: { 'content-type': this.#codec.contentType, 'message-type': SUBJECT_KEY_SHREDDED_TYPE },
      },
    ]);
  }
}
