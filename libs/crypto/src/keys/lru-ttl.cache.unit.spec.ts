import { LruTtlCache } from './lru-ttl.cache.js';

function cacheAt(clock: { now: number }, maxEntries = 2, ttlMs = 1000) {
  return new LruTtlCache<string, number>({ maxEntries, ttlMs, now: () => clock.now });
}

describe('an LRU cache with a time-to-live', () => {
  it('given more entries than it may hold, then the least recently used one is dropped', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');

    cache.set('c', 3);

    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('given an entry older than the TTL, then it is gone', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('a', 1);

    clock.now = 999;
    expect(cache.get('a')).toBe(1);
    clock.now = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('given entries matching a predicate, when deleted by predicate, then only those are gone', () => {
    const cache = cacheAt({ now: 0 }, 10);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 1);

    expect(cache.deleteWhere((value) => value === 1)).toBe(2);
    expect(cache.some((value) => value === 1)).toBe(false);
    expect(cache.get('b')).toBe(2);
  });
});
