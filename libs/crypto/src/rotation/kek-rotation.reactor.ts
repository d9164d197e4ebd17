import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { KAFKA_PRIMARY, type IncomingMessage, type KafkaCluster } from '@crm/messaging';
import { Reactor } from '@crm/processing';
import type { KekCache } from '../keys/kek-provider.port.js';
import { KEK_ROTATED_TOPIC, kekRotatedTopic } from './kek-rotation.announcer.js';
import { KekRotationListener } from './kek-rotation.listener.js';

/** What this process forgets KEKs from, and under which name it consumes (`KEK_EVICTION` provider). */
export interface KekEviction {
  /** Names the process in the consumer group id (e.g. the service), for operators reading group lists. */
  processName: string;
  caches: KekCache | readonly KekCache[];
  topic?: string;
}

export const KEK_EVICTION = Symbol('KEK_EVICTION');

/**
 * Keeps one process's KEK cache honest: a reactor on `crm.keys.v1.kek-rotated` that forgets every epoch a rotation
 * in any process destroyed. Like `ShredReactor`: naturally idempotent, raw messages, never dead-letters, a group of
 * its own per process, from the topic's end (a process that just started has read its KEKs after any earlier
 * rotation). A missed announcement is bounded by the cache's TTL.
 */
@Controller()
export class KekRotationReactor {
  readonly #listener: KekRotationListener;

  constructor(@Inject(KEK_EVICTION) eviction: KekEviction) {
    this.#listener = new KekRotationListener(eviction.caches);
  }

  @Reactor(KEK_ROTATED_TOPIC, async (resolve) => {
    const eviction = resolve<KekEviction>(KEK_EVICTION);
    const topic = kekRotatedTopic(eviction.topic ?? KEK_ROTATED_TOPIC);
    await resolve<KafkaCluster>(KAFKA_PRIMARY).ensureTopics([topic]);
    return {
      name: `kek-eviction.${eviction.processName}`,
      topics: [topic.name],
      group: `kek-eviction.${eviction.processName}.${randomUUID()}`,
      startAt: 'latest',
      idempotency: 'natural',
      decode: 'raw',
    };
  })
  forget(@Payload() announcements: IncomingMessage[]): void {
    this.#listener.handle(announcements);
  }
}
