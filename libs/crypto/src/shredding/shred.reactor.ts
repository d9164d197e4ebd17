import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { KAFKA_PRIMARY, type IncomingMessage, type KafkaCluster } from '@crm/messaging';
import { Reactor } from '@crm/processing';
import type { KeyCache } from '../keys/key-store.port.js';
import { shreddedKeysTopic, SHREDDED_KEYS_TOPIC } from './shred.announcer.js';
import { ShredListener } from './shred.listener.js';

/** What this process evicts from, and under which name it consumes (`SHRED_EVICTION` provider). */
export interface ShredEviction {
  /** Names the process in the consumer group id (e.g. the service), for operators reading group lists. */
  processName: string;
  caches: KeyCache | readonly KeyCache[];
  topic?: string;
}

export const SHRED_EVICTION = Symbol('SHRED_EVICTION');

/**
 * Keeps one process's key caches honest: a reactor on `crm.keys.v1.shredded` that evicts every announced subject.
 * Its effect is naturally idempotent (evicting twice is evicting once), so it keeps no processed-events record, reads
 * the raw announcements (a value it cannot decode still evicts by its key) and never dead-letters. Every process must
 * see every announcement, so each consumes under a group of its own, from the topic's end: a process that just
 * started has nothing cached, and announcements made before it started concern keys it never held.
 */
@Controller()
export class ShredReactor {
  readonly #listener: ShredListener;

  constructor(@Inject(SHRED_EVICTION) eviction: ShredEviction) {
    this.#listener = new ShredListener(eviction.caches);
  }

  @Reactor(SHREDDED_KEYS_TOPIC, async (resolve) => {
    const eviction = resolve<ShredEviction>(SHRED_EVICTION);
    const topic = shreddedKeysTopic(eviction.topic ?? SHREDDED_KEYS_TOPIC);
    await resolve<KafkaCluster>(KAFKA_PRIMARY).ensureTopics([topic]);
    return {
      name: `key-eviction.${eviction.processName}`,
      topics: [topic.name],
      group: `key-eviction.${eviction.processName}.${randomUUID()}`,
      startAt: 'latest',
      idempotency: 'natural',
      decode: 'raw',
    };
  })
  evict(@Payload() announcements: IncomingMessage[]): void {
    this.#listener.handle(announcements);
  }
}
