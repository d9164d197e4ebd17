export interface LruTtlCacheOptions {
  maxEntries: number;
  ttlMs: number;
  /** Milliseconds since some origin; injected so expiry is testable without waiting. */
  now: () => number;
}

/**
 * A small least-recently-used cache whose entries also expire after a fixed time-to-live. Map iteration order is
 * insertion order, so re-inserting on every hit keeps the least recently used entry first.
 */
export class LruTtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  readonly #options: LruTtlCacheOptions;

  constructor(options: LruTtlCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    if (!(options.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#options.now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#options.now() + this.#options.ttlMs });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry whose value matches; linear, which is fine for the few hundred entries a key cache holds. */
  deleteWhere(matches: (value: V, key: K) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (matches(entry.value, key)) {
        this.#entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  /** Whether any live (unexpired) entry matches, without touching recency. */
  some(matches: (value: V, key: K) => boolean): boolean {
    const now = this.#options.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt > now && matches(entry.value, key)) return true;
    return false;
  }

  clear(): void {
    this.#entries.clear();
  }
}
