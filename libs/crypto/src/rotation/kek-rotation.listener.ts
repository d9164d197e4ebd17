import type { IncomingMessage } from '@crm/messaging';
import type { KekCache } from '../keys/kek-provider.port.js';
import { decodeKekRotated } from './kek-rotated.codec.js';

export interface KekRotationListenerOutcome {
  /** For each message, the epoch below which KEKs were forgotten, or `'all'` when it could not be read. */
  forgotten: (number | 'all')[];
}

/**
 * Turns KEK rotation announcements into evictions: every epoch below the announced one is forgotten. It fails
 * closed: a message whose value does not decode falls back to its key (the new epoch), and one with neither clears
 * the caches entirely (they re-read the KEK files). Forgetting is idempotent, so redelivery and replays are fine.
 */
export class KekRotationListener {
  readonly #caches: readonly KekCache[];

  constructor(caches: KekCache | readonly KekCache[]) {
    this.#caches = Array.isArray(caches) ? caches : [caches as KekCache];
  }

  handle(messages: readonly Pick<IncomingMessage, 'key' | 'value'>[]): KekRotationListenerOutcome {
    const outcome: KekRotationListenerOutcome = { forgotten: [] };
    for (const message of messages) {
      const epoch = toEpochOf(message);
      for (const cache of this.#caches) {
        if (epoch === undefined) cache.clear();
        else cache.forgetBelow(epoch);
      }
      outcome.forgotten.push(epoch ?? 'all');
    }
    return outcome;
  }
}

function toEpochOf(message: Pick<IncomingMessage, 'key' | 'value'>): number | undefined {
  try {
    return decodeKekRotated(message.value).toEpoch;
  } catch {
    const fromKey = message.key !== undefined && /^[1-9][0-9]{0,8}$/.test(message.key) ? Number(message.key) : undefined;
    return fromKey;
  }
}
