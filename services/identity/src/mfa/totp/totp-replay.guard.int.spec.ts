import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { TOTP_USED_KEY_PREFIX, TotpReplayGuard } from '../index.js';

const redis = createRedis(testPlatformConfig().redis, 'identity-totp-replay-int');
afterAll(() => redis.quit());

const userId = () => uniqueName('user').replace(/[^A-Za-z0-9_-]/g, '_');

describe('TOTP replay guard (real Redis)', () => {
  it('given a claimed time step, when claimed again, then refused; another step or another user is independent', async () => {
    const guard = new TotpReplayGuard(redis);
    const jane = userId();
    const john = userId();

    expect(await guard.claim(jane, 55_555_555n)).toBe(true);
    expect(await guard.claim(jane, 55_555_555n)).toBe(false);
    expect(await guard.claim(jane, 55_555_556n)).toBe(true);
    expect(await guard.claim(john, 55_555_555n)).toBe(true);
  });

  it('given many concurrent claims of one step, then exactly one wins (SET NX is atomic)', async () => {
    const guard = new TotpReplayGuard(redis);
    const jane = userId();

    const results = await Promise.all(Array.from({ length: 20 }, () => guard.claim(jane, 1n)));

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('given a claim, then its key is namespaced and expires just after the ±1 window (120 s for 30 s steps)', async () => {
    const guard = new TotpReplayGuard(redis);
    const jane = userId();
    await guard.claim(jane, 666_666_666n);

    const key = `${TOTP_USED_KEY_PREFIX}${jane}:666666666`;
    expect(key).toMatch(/^crm:identity:totp-used:/);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(new TotpReplayGuard(redis, { period: 60, window: 2 }).ttlSeconds).toBe(360);
  });

  it('given a user id that could smuggle personal data or separators into the key, then refused', async () => {
    const guard = new TotpReplayGuard(redis);

    await expect(guard.claim('jane@example.com', 1n)).rejects.toMatchObject({ code: 'MFA_USER_ID_INVALID' });
    await expect(guard.claim('a:b', 1n)).rejects.toMatchObject({ code: 'MFA_USER_ID_INVALID' });
  });
});
