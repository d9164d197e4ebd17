import type { KeyCache, KeyStore, ShredReason, ShredResult } from '../keys/key-store.port.js';
import type { SubjectKeyShredded } from './subject-key-shredded.codec.js';

export interface SubjectShredderDeps {
  keyStore: KeyStore;
  /** Local caches to evict at once, without waiting for our own announcement to come back. */
  caches?: readonly KeyCache[];
  announcer: { announce(announcement: SubjectKeyShredded): Promise<void> };
}

/**
 * Erasing a subject: destroy the keys (and record the erasure), forget them locally, tell everyone else.
 * The order matters: the ledger entry is the commitment; eviction and announcement are repeated on every call,
 * so a crash or a Kafka outage after the shred is healed by calling again (the shred itself is idempotent).
 */
export class SubjectShredder {
  readonly #deps: SubjectShredderDeps;

  constructor(deps: SubjectShredderDeps) {
    this.#deps = deps;
  }

  async shredSubject(subjectId: string, reason: ShredReason): Promise<ShredResult> {
    const result = await this.#deps.keyStore.shred(subjectId, reason);
    for (const cache of this.#deps.caches ?? []) cache.evict(subjectId);
    await this.#deps.announcer.announce({ subjectId, shreddedAt: result.erasedAt, keyVersions: result.keyVersions, reason: result.reason });
    return result;
  }
}
