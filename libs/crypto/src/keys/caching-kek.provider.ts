import { cryptoError } from '../crypto.errors.js';
import type { KekCache, KekProvider } from './kek-provider.port.js';

export interface CachingKekProviderOptions {
  /**
   * How long a KEK (and the current epoch) is trusted without reading it again; default 60 s. The safety net for a
   * missed rotation announcement: a process that did not hear it stops using a destroyed KEK after this long.
   */
  ttlMs?: number;
  /** Milliseconds since some origin; injected so expiry is testable without waiting. */
  now?: () => number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * Keeps KEKs by epoch, and the current epoch, in memory, so the hot path (`kek`, `currentEpoch`) reads no file.
 *
 * Invalidation is driven by rotation itself rather than by a short timer:
 * - in this process, `createNext` (step 1 of `rotateKek`) forgets anything cached under the new epoch number and
 *   makes it the current epoch, and `destroy` (step 4) forgets the destroyed epoch before and after the file goes,
 *   so once `rotateKek` returns, this process can no longer unwrap under a retired epoch;
 * - in other processes, the `crm.keys.v1.KekRotated` announcement makes `KekRotationReactor` call `forgetBelow`;
 * - a missed announcement is bounded by the TTL.
 *
 * Callers always get their own copy of the key: `rotateKek` zeroes the KEKs it used, which must not zero ours. A
 * load that was in flight when an epoch was forgotten is not cached, so a read racing a destroy cannot put the
 * destroyed key back. Epochs are never negatively cached: a KEK missing on disk is looked up again next time.
 */
export class CachingKekProvider implements KekProvider, KekCache {
  readonly #inner: KekProvider;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<number, Entry<Uint8Array>>();
  readonly #loading = new Map<number, Promise<Uint8Array>>();
  #current: Entry<number> | undefined;
  /** Bumped on every invalidation; a load that started before one must not cache its result. */
  #generation = 0;

  constructor(inner: KekProvider, options: CachingKekProviderOptions = {}) {
    const ttlMs = options.ttlMs ?? 60_000;
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.#inner = inner;
    this.#ttlMs = ttlMs;
    this.#now = options.now ?? Date.now;
  }

  async currentEpoch(): Promise<number> {
    if (this.#current !== undefined && this.#current.expiresAt > this.#now()) return this.#current.value;
    const generation = this.#generation;
    const epoch = await this.#inner.currentEpoch();
    if (generation === this.#generation) this.#current = this.#entry(epoch);
    return epoch;
  }

  async kek(epoch: number): Promise<Uint8Array> {
    if (!Number.isInteger(epoch) || epoch <= 0) throw cryptoError('KEK_UNAVAILABLE', `the KEK of epoch ${epoch} does not exist or was destroyed`);
    const hit = this.#keys.get(epoch);
    if (hit !== undefined) {
      if (hit.expiresAt > this.#now()) return hit.value.slice();
      this.#forget(epoch);
    }
    let loading = this.#loading.get(epoch);
    if (loading === undefined) {
      const generation = this.#generation;
      loading = this.#inner.kek(epoch).then(
        (key) => {
          if (this.#loading.get(epoch) === loading) this.#loading.delete(epoch);
          if (generation === this.#generation) this.#keys.set(epoch, this.#entry(key.slice()));
          return key;
        },
        (error: unknown) => {
          if (this.#loading.get(epoch) === loading) this.#loading.delete(epoch);
          throw error;
        },
      );
      this.#loading.set(epoch, loading);
    }
    return (await loading).slice();
  }

  /** Step 1 of a rotation: the new epoch is current from now on; nothing cached under its number survives. */
  async createNext(): Promise<number> {
    const next = await this.#inner.createNext();
    this.#invalidate(() => this.#forget(next));
    this.#current = this.#entry(next);
    return next;
  }

  /** Step 4 of a rotation: forgotten before the file is destroyed and again after (a read racing the destroy). */
  async destroy(epoch: number): Promise<void> {
    this.#invalidate(() => this.#forgetEpochAndCurrent(epoch));
    try {
      await this.#inner.destroy(epoch);
    } finally {
      this.#invalidate(() => this.#forgetEpochAndCurrent(epoch));
    }
  }

  forgetBelow(epoch: number): void {
    this.#invalidate(() => {
      for (const cached of [...this.#keys.keys()]) if (cached < epoch) this.#forget(cached);
      if (this.#current !== undefined && this.#current.value < epoch) this.#current = undefined;
    });
  }

  clear(): void {
    this.#invalidate(() => {
      for (const cached of [...this.#keys.keys()]) this.#forget(cached);
      this.#current = undefined;
    });
  }

  /** The epochs whose KEK is cached and still trusted (for tests and health checks; never the keys). */
  cachedEpochs(): number[] {
    const now = this.#now();
    return [...this.#keys]
      .filter(([, entry]) => entry.expiresAt > now)
      .map(([epoch]) => epoch)
      .sort((a, b) => a - b);
  }

  #invalidate(change: () => void): void {
    this.#generation += 1;
    // Loads in flight finish for their callers but are not cached, and later callers start a fresh load.
    this.#loading.clear();
    change();
  }

  #forgetEpochAndCurrent(epoch: number): void {
    this.#forget(epoch);
    if (this.#current?.value === epoch) this.#current = undefined;
  }

  #forget(epoch: number): void {
    this.#keys.get(epoch)?.value.fill(0);
    this.#keys.delete(epoch);
  }

  #entry<T>(value: T): Entry<T> {
    return { value, expiresAt: this.#now() + this.#ttlMs };
  }
}
