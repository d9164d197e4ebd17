import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { RateLimiter } from './rate-limiter.js';

const redis = createRedis(testPlatformConfig().redis, 'rate-limiter-test');
afterAll(() => redis.quit());

describe('the gateway rate limiter on Redis', () => {
  it('given a limit of 3 per minute, then the 4th request in the window is refused with the time left, and other clients are unaffected', async () => {
    const fixedNow = () => 1_800_000_000_000 + 15_000; // 15 s into a minute window
    const limiter = new RateLimiter(redis, fixedNow);
    const bucket = uniqueName('bucket');

    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume(bucket, 'client-a', 3));

    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toMatchObject({ remaining: 0, retryAfterSeconds: 45 });
    expect((await limiter.consume(bucket, 'client-b', 3)).allowed).toBe(true);
    const ttl = await redis.ttl(`crm:gateway:rate:${bucket}:${Math.floor(fixedNow() / 60_000)}:client-a`);
    expect(ttl).toBeGreaterThan(0);
  });
});
