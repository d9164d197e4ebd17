import type { IncomingMessage } from '@crm/messaging';
import type { KeyCache } from '../keys/key-store.port.js';
import { protobufShredAnnouncementCodec, type ShredAnnouncementCodec } from './subject-key-shredded.codec.js';

export interface ShredListenerOutcome {
  /** Subject ids evicted, in message order (repeats kept: redelivery is expected and harmless). */
  evicted: string[];
  /** Messages with neither a decodable value nor a key; nothing could be evicted for them. */
  unusable: number;
}

/**
 * Turns shred announcements into cache evictions. It is a plain handler so it plugs into whatever consumer loop a
 * service runs; evicting is idempotent, so at-least-once delivery and replays from offset 0 are both fine.
 */
export class ShredListener {
  readonly #caches: readonly KeyCache[];
  readonly #codec: ShredAnnouncementCodec;

  constructor(caches: KeyCache | readonly KeyCache[], options: { codec?: ShredAnnouncementCodec } = {}) {
    this.#caches = Array.isArray(caches) ? caches : [caches as KeyCache];
    this.#codec = options.codec ?? protobufShredAnnouncementCodec;
  }

  handle(messages: readonly Pick<IncomingMessage, 'key' | 'value'>[]): ShredListenerOutcome {
    const outcome: ShredListenerOutcome = { evicted: [], unusable: 0 };
    for (const message of messages) {
      const subjects = new Set<string>();
      // The message key is the subject id, so even a value this codec cannot read (a newer encoding, a corrupt
      // record) still evicts: failing open here would leave a shredded subject's DEK usable.
      if (message.key !== undefined && message.key !== '') subjects.add(message.key);
      try {
        subjects.add(this.#codec.decode(message.value).subjectId);
      } catch {
        // Counted below when the key did not help either.
      }
      if (subjects.size === 0) outcome.unusable += 1;
      for (const subjectId of subjects) {
        for (const cache of this.#caches) cache.evict(subjectId);
        outcome.evicted.push(subjectId);
      }
    }
    return outcome;
  }
}
