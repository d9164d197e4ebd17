import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { MFA_ATTEMPTS_KEY_PREFIX, MfaAttemptLimiter } from '../index.js';

const redis = createRedis(testPlatformConfig().redis, 'identity-mfa-limiter-int');
afterAll(() => redis.quit());

const userId = () => uniqueName('user').replace(/[^A-Za-z0-9_-]/g, '_');

describe('MFA attempt limiter (real Redis)', () => {
  it('given 5 attempts in the window, when a 6th comes, then it is refused with the time until the window ends', async () => {
    const limiter = new MfaAttemptLimiter(redis);
    const jane = userId();

    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await limiter.consume(jane)).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 5 - attempt });
    }
    const refused = await limiter.consume(jane);

    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(290);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(300);
    expect(await limiter.status(jane)).toMatchObject({ allowed: false, remaining: 0 });
    await expect(limiter.consumeOrThrow(jane)).rejects.toMatchObject({
      code: 'MFA_RATE_LIMITED',
      kind: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(await limiter.consume(userId())).toMatchObject({ allowed: true });
  });

  it('given refused attempts, then they do not extend the window or grow the counter', async () => {
    const limiter = new MfaAttemptLimiter(redis, { maxFailures: 2 });
    const jane = userId();
    await limiter.consume(jane);
    await limiter.consume(jane);
    await limiter.consume(jane);
    await limiter.consume(jane);

    expect(await redis.get(`${MFA_ATTEMPTS_KEY_PREFIX}${jane}`)).toBe('2');
  });

  it('given a success, then the budget starts afresh', async () => {
    const limiter = new MfaAttemptLimiter(redis, { maxFailures: 3 });
    const jane = userId();
    for (let attempt = 0; attempt < 3; attempt += 1) await limiter.consume(jane);
    expect((await limiter.consume(jane)).allowed).toBe(false);

    await limiter.recordSuccess(jane);

    expect(await limiter.consume(jane)).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 2 });
  });

  it('given a burst of concurrent attempts, then no more than the budget get through (counted before verifying)', async () => {
    const limiter = new MfaAttemptLimiter(redis);
    const jane = userId();

    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(jane)));

    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
  });

  it('given the first attempt, then the counter key carries the window as its TTL', async () => {
    const limiter = new MfaAttemptLimiter(redis, { windowSeconds: 120 });
    const jane = userId();
    await limiter.consume(jane);

    const ttl = await redis.ttl(`${MFA_ATTEMPTS_KEY_PREFIX}${jane}`);
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });
});
