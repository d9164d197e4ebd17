import { randomBytes } from 'node:crypto';
import { Secret } from '@crm/config';
import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { LoginThrottle, loginRefusedError } from './index.js';

const redis = createRedis(testPlatformConfig().redis, 'identity-login-throttle-int');
afterAll(() => redis.quit());

const keySecret = new Secret(randomBytes(32).toString('hex'));
/** What the caller passes: a key derived from the normalised e-mail, unique per test. */
const accountKey = () => uniqueName('acct');
/** A unique documentation-range address per test (RFC 5737 / RFC 3849). */
const address = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;

async function failures(throttle: LoginThrottle, account: string, client: string, count: number): Promise<void> {
  for (let failure = 0; failure < count; failure += 1) await throttle.recordFailure(account, client);
}

describe('login throttle (real Redis)', () => {
  it('given 4 consecutive failures, then allowed; given the 5th, then the account is locked for 15 minutes', async () => {
    const throttle = new LoginThrottle(redis, { keySecret });
    const account = accountKey();
    const client = address();

    await failures(throttle, account, client, 4);
    expect(await throttle.check(account, client)).toEqual({ allowed: true });

    expect(await throttle.recordFailure(account, client)).toMatchObject({ allowed: false, reason: 'account_locked' });
    const decision = await throttle.check(account, address());
    expect(decision).toMatchObject({ allowed: false, reason: 'account_locked' });
    expect(decision.retryAfterSeconds).toBeGreaterThan(890);
    expect(decision.retryAfterSeconds).toBeLessThanOrEqual(900);
    await expect(throttle.checkOrThrow(account, client)).rejects.toMatchObject({ code: 'LOGIN_LOCKED', kind: 'rate_limited' });
    expect(await throttle.check(accountKey(), address())).toEqual({ allowed: true });
  });

  it('given a success before the threshold, then the consecutive count starts again', async () => {
    const throttle = new LoginThrottle(redis, { keySecret });
    const account = accountKey();
    const client = address();

    await failures(throttle, account, client, 4);
    await throttle.recordSuccess(account);
    await failures(throttle, account, client, 4);

    expect(await throttle.check(account, client)).toEqual({ allowed: true });
  });

  it('given a locked account, when the lock is lifted by a success (e.g. a password reset), then allowed again', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, accountLockThreshold: 3 });
    const account = accountKey();
    const client = address();
    await failures(throttle, account, client, 3);
    expect((await throttle.check(account, client)).allowed).toBe(false);

    await throttle.recordSuccess(account);

    expect(await throttle.check(account, client)).toEqual({ allowed: true });
  });

  it('given failures while locked, then the lock is not extended (nobody can pin an account locked)', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, accountLockThreshold: 2, accountLockSeconds: 600 });
    const account = accountKey();
    const client = address();
    await failures(throttle, account, client, 2);
    // Pretend most of the lock has passed, without waiting for it.
    await redis.expire(throttle.redisKeys(account, client).account, 100);

    await failures(throttle, account, client, 3);

    const decision = await throttle.check(account, client);
    expect(decision).toMatchObject({ allowed: false, reason: 'account_locked' });
    expect(decision.retryAfterSeconds).toBeLessThanOrEqual(100);
  });

  it('given 20 failures from one address over many accounts, then that address is limited, other addresses are not', async () => {
    const throttle = new LoginThrottle(redis, { keySecret });
    const client = address();
    for (let failure = 0; failure < 19; failure += 1) await throttle.recordFailure(accountKey(), client);
    expect(await throttle.check(accountKey(), client)).toEqual({ allowed: true });

    await throttle.recordFailure(accountKey(), client);

    const decision = await throttle.check(accountKey(), client);
    expect(decision).toMatchObject({ allowed: false, reason: 'address_rate_limited' });
    expect(decision.retryAfterSeconds).toBeGreaterThan(890);
    expect(await throttle.check(accountKey(), address())).toEqual({ allowed: true });
    expect(loginRefusedError(decision as Extract<typeof decision, { allowed: false }>)).toMatchObject({
      code: 'LOGIN_RATE_LIMITED',
      details: { retryAfterSeconds: decision.retryAfterSeconds },
    });
  });

  it('given a success on an attacker’s own account, then the address budget is not reset', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, addressMaxFailures: 3 });
    const client = address();
    const own = accountKey();
    await failures(throttle, accountKey(), client, 3);

    await throttle.recordSuccess(own);

    expect(await throttle.check(own, client)).toMatchObject({ allowed: false, reason: 'address_rate_limited' });
  });

  it('given addresses in one IPv6 /64, then they share one budget', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, addressMaxFailures: 2 });
    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    await throttle.recordFailure(accountKey(), `${prefix}::1`);
    await throttle.recordFailure(accountKey(), `${prefix}:ffff::2`);

    expect(await throttle.check(accountKey(), `${prefix}::3`)).toMatchObject({ allowed: false, reason: 'address_rate_limited' });
  });

  it('given a failure, then Redis holds neither the account key nor the address, only HMACs, each with its TTL', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, accountLockSeconds: 900, addressWindowSeconds: 600 });
    const account = `marker-${randomBytes(6).toString('hex')}`;
    const client = '192.0.2.77';
    await throttle.recordFailure(account, client);

    const keys = throttle.redisKeys(account, client);
    for (const key of Object.values(keys)) {
      expect(key).toMatch(/^crm:identity:login-failures:(account|account-total|address):[0-9a-f]{32}$/);
      expect(key).not.toContain(account);
      expect(key).not.toContain(client);
    }
    expect(await redis.get(keys.account)).toBe('1');
    expect(await redis.ttl(keys.account)).toBeGreaterThan(890);
    expect(await redis.ttl(keys.address)).toBeGreaterThan(0);
    expect(await redis.ttl(keys.address)).toBeLessThanOrEqual(600);
    // Another secret, other keys: the HMAC is keyed, so a dictionary of addresses cannot reverse it.
    expect(new LoginThrottle(redis, { keySecret: new Secret('x'.repeat(32)) }).redisKeys(account, client).address).not.toBe(keys.address);
    await redis.del(keys.address);
  });

  it('given 100 consecutive failures across many lock periods, then the account is hard-locked until an administrator unlocks it', async () => {
    const throttle = new LoginThrottle(redis, { keySecret });
    const account = accountKey();
    const keys = throttle.redisKeys(account, address());
    for (let failure = 1; failure <= 99; failure += 1) {
      await throttle.recordFailure(account, address());
      // The 15-minute lock ends (its key expires) every 5 failures: that alone must not restart the count.
      if (failure % 5 === 0) await redis.del(keys.account);
    }
    await redis.del(keys.account);
    expect(await throttle.check(account, address())).toEqual({ allowed: true });

    expect(await throttle.recordFailure(account, address())).toMatchObject({ allowed: false, reason: 'account_hard_locked' });
    await redis.del(keys.account);
    expect(await throttle.check(account, address())).toMatchObject({ allowed: false, reason: 'account_hard_locked' });
    await expect(throttle.checkOrThrow(account, address())).rejects.toMatchObject({ code: 'LOGIN_HARD_LOCKED', kind: 'forbidden' });

    await throttle.unlockAccount(account);

    expect(await throttle.check(account, address())).toEqual({ allowed: true });
  });

  it('given failures across lock periods ended by a correct password, then the count in all starts again', async () => {
    const throttle = new LoginThrottle(redis, { keySecret, accountHardLockThreshold: 6 });
    const account = accountKey();
    await failures(throttle, account, address(), 5);
    await throttle.recordSuccess(account);
    await failures(throttle, account, address(), 4);

    expect(await throttle.check(account, address())).toEqual({ allowed: true });
  });

  it('given a too short key secret, then the throttle refuses to start', () => {
    expect(() => new LoginThrottle(redis, { keySecret: new Secret('short') })).toThrow(expect.objectContaining({ code: 'LOGIN_THROTTLE_SECRET_INVALID' }));
  });
});
