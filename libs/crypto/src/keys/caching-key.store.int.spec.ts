import { testPlatformConfig, uniqueName } from '@crm/testing';
import { CachingKeyStore } from './caching-key.store.js';
import type { PostgresKeyStore } from './postgres-key.store.js';
import { scratchKeyVault, type ScratchKeyVault } from './scratch-key-vault.fixture.js';

let vault: ScratchKeyVault;
let inner: PostgresKeyStore;

beforeAll(async () => {
  vault = await scratchKeyVault(testPlatformConfig().postgres!);
  ({ store: inner } = await vault.openStore());
});

afterAll(() => vault.dispose());

/** A cache over the real store that counts the lookups reaching it. */
function countingCache(): { cache: CachingKeyStore; lookups: () => number } {
  let lookups = 0;
  const counting = Object.create(inner) as PostgresKeyStore;
  counting.dekFor = (subjectId: string) => {
    lookups++;
    return inner.dekFor(subjectId);
  };
  return { cache: new CachingKeyStore(counting), lookups: () => lookups };
}

describe('the DEK cache', () => {
  it('given a cached DEK shredded by another process, then it is served until evicted, and refused after', async () => {
    const cache = new CachingKeyStore(inner);
    const subjectId = uniqueName('subject');
    const key = await cache.dekFor(subjectId);
    await cache.dekById(key.keyId, key.keyVersion);
    await inner.shred(subjectId, 'ERASURE_REQUEST');

    expect(await cache.dekFor(subjectId)).toBe(key);
    expect(await cache.dekById(key.keyId, key.keyVersion)).toEqual(key);

    cache.evict(subjectId);

    expect(cache.holds(subjectId)).toBe(false);
    await expect(cache.dekFor(subjectId)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    await expect(cache.dekById(key.keyId, key.keyVersion)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
  });

  it('given a missed announcement, then the TTL bounds how long a shredded DEK stays usable', async () => {
    const clock = { now: 0 };
    const cache = new CachingKeyStore(inner, { ttlMs: 60_000, now: () => clock.now });
    const subjectId = uniqueName('subject');
    const key = await cache.dekFor(subjectId);
    await inner.shred(subjectId, 'ERASURE_REQUEST');

    clock.now = 59_999;
    await expect(cache.dekFor(subjectId)).resolves.toEqual(key);
    clock.now = 60_000;
    await expect(cache.dekFor(subjectId)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
  });

  it('given an eviction while a lookup is in flight, then the looked-up DEK is not cached afterwards', async () => {
    const cache = new CachingKeyStore(inner);
    const subjectId = uniqueName('subject');

    const pending = cache.dekFor(subjectId);
    cache.evict(subjectId);
    await pending;

    expect(cache.holds(subjectId)).toBe(false);
  });

  it('given many concurrent lookups of a new subject, then one key is created and one lookup reaches the vault', async () => {
    const { cache, lookups } = countingCache();
    const subjectId = uniqueName('subject');

    const keys = await Promise.all(Array.from({ length: 8 }, () => cache.dekFor(subjectId)));

    expect(lookups()).toBe(1);
    expect(new Set(keys.map((key) => key.keyId)).size).toBe(1);
  });

  it('given an eviction while a lookup is in flight, then a lookup after it does not join the earlier one', async () => {
    const { cache, lookups } = countingCache();
    const subjectId = uniqueName('subject');

    const before = cache.dekFor(subjectId);
    cache.evict(subjectId);
    const after = cache.dekFor(subjectId);
    await Promise.all([before, after]);

    expect(lookups()).toBe(2);
  });

  it('given a shred through the cache, then the cache forgets the subject at once', async () => {
    const cache = new CachingKeyStore(inner);
    const subjectId = uniqueName('subject');
    await cache.dekFor(subjectId);

    await cache.shred(subjectId, 'ERASURE_REQUEST');

    expect(cache.holds(subjectId)).toBe(false);
    await expect(cache.dekFor(subjectId)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
  });
});
