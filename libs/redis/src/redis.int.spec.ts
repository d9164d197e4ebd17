import { Secret } from '@crm/config';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { createRedis, RedisHealthCheck } from './index.js';

const config = testPlatformConfig();
const redis = createRedis(config.redis, 'int-test');

afterAll(() => redis.quit());

describe('the local Redis server', () => {
  it('answers PING (readiness)', async () => {
    await expect(new RedisHealthCheck(redis).check()).resolves.toBeUndefined();
  });

  it('stores values with expiry', async () => {
    const key = uniqueName('it:key');
    await redis.set(key, 'value', 'EX', 60);
    expect(await redis.get(key)).toBe('value');
    expect(await redis.ttl(key)).toBeGreaterThan(0);
    await redis.del(key);
  });

  it('persists with an append-only file, so queued jobs survive a restart', async () => {
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
  });

  it('refuses clients without the password', async () => {
    const anonymous = createRedis({ ...config.redis, password: new Secret('') }, 'int-test-anonymous');
    anonymous.on('error', () => undefined);
    await expect(anonymous.get('anything')).rejects.toThrow(/NOAUTH|WRONGPASS/);
    anonymous.disconnect();
  });
});
