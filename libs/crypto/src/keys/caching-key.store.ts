import type { DataKey, KekRotation, KeyCache, KeyStore, ShredReason, ShredResult } from './key-store.port.js';
import { LruTtlCache } from './lru-ttl.cache.js';

export interface CachingKeyStoreOptions {
  /** Default 1000 unwrapped DEKs. */
  maxEntries?: number;
  /**
   * Default 5 minutes. Also the upper bound on how long another process keeps using a shredded subject's DEK if
   * it misses the shred announcement, so keep it short.
   */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Keeps recently used unwrapped DEKs in memory so a hot subject does not cost a key-vault round trip and a KEK
 * unwrap per field. `evict` is called locally by `shredSubject` and remotely through the shred announcement.
 */
export class CachingKeyStore implements KeyStore, KeyCache {
  readonly #inner: KeyStore;
  readonly #cache: LruTtlCache<string, DataKey>;
  /**
   * Bumped on every eviction. A lookup that started before an eviction must not cache its result: it may have read
   * the DEK just before the subject was shredded, and caching it would resurrect the key in this process.
   */
  #evictions = 0;
  /** Lookups under way, shared by every caller asking for the same key meanwhile (one round trip, one key created). */
  readonly #inFlight = new Map<string, Promise<DataKey>>();

  constructor(inner: KeyStore, options: CachingKeyStoreOptions = {}) {
    this.#inner = inner;
    this.#cache = new LruTtlCache({ maxEntries: options.maxEntries ?? 1000, ttlMs: options.ttlMs ?? 300_000, now: options.now ?? Date.now });
  }

  async dekFor(subjectId: string): Promise<DataKey> {
    return this.#cached(`subject:${subjectId}`, () => this.#inner.dekFor(subjectId));
  }

  /** Loads (or creates) the keys of many subjects in one go and caches them: a batch then seals without round trips. */
  async dekForMany(subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    const keys = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const subjectId of new Set(subjectIds)) {
      const hit = this.#cache.get(`subject:${subjectId}`);
      if (hit === undefined) missing.push(subjectId);
      else keys.set(subjectId, hit);
    }
    if (missing.length === 0) return keys;
    const evictionsBefore = this.#evictions;
    const loaded =
      this.#inner.dekForMany === undefined
        ? new Map(await Promise.all(missing.map(async (id) => [id, await this.#inner.dekFor(id)] as const)))
        : await this.#inner.dekForMany(missing);
    for (const [subjectId, key] of loaded) {
      if (this.#evictions === evictionsBefore) this.#cache.set(`subject:${subjectId}`, key);
      keys.set(subjectId, key);
    }
    return keys;
  }

  async dekById(keyId: string, keyVersion: number): Promise<DataKey> {
    return this.#cached(`key:${keyId}:${keyVersion}`, () => this.#inner.dekById(keyId, keyVersion));
  }

  async shred(subjectId: string, reason: ShredReason): Promise<ShredResult> {
    try {
      return await this.#inner.shred(subjectId, reason);
    } finally {
      this.evict(subjectId);
    }
  }

  isShredded(subjectId: string): Promise<boolean> {
    return this.#inner.isShredded(subjectId);
  }

  /** Rotation re-wraps DEKs but does not change them, so cached DEKs stay valid. */
  rotateKek(): Promise<KekRotation> {
    return this.#inner.rotateKek();
  }

  evict(subjectId: string): void {
    this.#evictions += 1;
    // A lookup that started before the eviction is not joined by anyone who asks after it.
    this.#inFlight.clear();
    this.#cache.deleteWhere((key) => key.subjectId === subjectId);
  }

  /** Whether any DEK of the subject is cached (for health checks and tests). */
  holds(subjectId: string): boolean {
    return this.#cache.some((key) => key.subjectId === subjectId);
  }

  clear(): void {
    this.#evictions += 1;
    this.#inFlight.clear();
    this.#cache.clear();
  }

  async #cached(cacheKey: string, load: () => Promise<DataKey>): Promise<DataKey> {
    const hit = this.#cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const pending = this.#inFlight.get(cacheKey);
    if (pending !== undefined) return pending;
    const evictionsBefore = this.#evictions;
    const loading = load()
      .then((loaded) => {
        if (this.#evictions === evictionsBefore) this.#cache.set(cacheKey, loaded);
        return loaded;
      })
      .finally(() => {
        if (this.#inFlight.get(cacheKey) === loading) this.#inFlight.delete(cacheKey);
      });
    this.#inFlight.set(cacheKey, loading);
    return loading;
  }
}
