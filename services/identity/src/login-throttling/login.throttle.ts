import { createHmac } from 'node:crypto';
import type { Redis } from '@crm/redis';
import { AppError } from '@crm/errors';
import { clientAddressBucket } from './client-address.normaliser.js';
import { loginRefusedError } from './login-throttle.errors.js';
import {
  DEFAULT_LOGIN_THROTTLE_LIMITS,
  MIN_KEY_SECRET_LENGTH,
  loginThrottleLimitsSchema,
  type LoginThrottleLimits,
  type LoginThrottleSettings,
} from './login-throttle.config.js';

export const LOGIN_FAILURES_KEY_PREFIX = 'crm:identity:login-failures:';
/** How long the count of failures in all is remembered after the last one (see RECORD_FAILURE). */
const HARD_LOCK_MEMORY_MS = 365 * 24 * 60 * 60 * 1000;

export type LoginThrottleRefusal = { allowed: false; reason: 'account_locked' | 'account_hard_locked' | 'address_rate_limited'; retryAfterSeconds: number };
export type LoginThrottleDecision = { allowed: true; retryAfterSeconds?: undefined } | LoginThrottleRefusal;

/**
 * One failure, atomically: count it for the account and for the address and set their expiries.
 * Account: up to the threshold every failure restarts the expiry, so "consecutive failures" are those without a
 * quiet period of `accountLockSeconds` between them; the failure that reaches the threshold starts the lock; later
 * ones (which a correct caller never records, as it checks first) do not extend it, so nobody can keep an account
 * locked forever with one request per period.
 * Address: a fixed window from its first failure.
 * Account in all (KEYS[3]): only a correct password or an administrator's unlock resets it; it expires after a year
 * without failures, so e-mail keys sprayed once do not fill Redis forever (a hard lock thus lasts a year at most:
 * 100 guesses a year instead of 480 a day).
 */
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures <= tonumber(ARGV[1]) or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local addressFailures = redis.call('INCR', KEYS[2])
if addressFailures == 1 or redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
local total = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return {failures, redis.call('PTTL', KEYS[1]), addressFailures, redis.call('PTTL', KEYS[2]), total}
`;

/**
 * Failed-login throttling (SP 800-63B §5.2.2, ASVS 5.0 6.3.1): an account is locked after N consecutive failures for
 * a lock period, and each client address has a budget of failures over all accounts (credential stuffing and
 * password spraying try few passwords on many accounts, which per-account locks alone never see).
 *
 * The caller's flow: `check` before verifying the password (refuse with `loginRefusedError` without verifying);
 * on a wrong password *or an unknown account* `recordFailure`; on success `recordSuccess`.
 * The account key is whatever stable key the caller derives from the normalised e-mail (the login-email blind index);
 * it and the address are HMACed again here, so neither an e-mail nor an IP address ever appears in a Redis key.
 * Known limit: `check` does not reserve, so requests that are in flight together each get one guess before the lock;
 * the address budget and Argon2's cost bound that burst (see docs/identity-security.md).
 */
export class LoginThrottle {
  readonly limits: Readonly<LoginThrottleLimits>;
  readonly #secret: string;

  constructor(
    private readonly redis: Redis,
    settings: Pick<LoginThrottleSettings, 'keySecret'> & Partial<LoginThrottleLimits>,
  ) {
    const { keySecret, ...limits } = settings;
    this.limits = Object.freeze(loginThrottleLimitsSchema.parse({ ...DEFAULT_LOGIN_THROTTLE_LIMITS, ...limits }));
    this.#secret = keySecret.reveal();
    if (this.#secret.length < MIN_KEY_SECRET_LENGTH) {
      throw new AppError('LOGIN_THROTTLE_SECRET_INVALID', 'internal', `the throttle key secret needs at least ${MIN_KEY_SECRET_LENGTH} characters`);
    }
  }

  async check(accountKey: string, clientAddress: string): Promise<LoginThrottleDecision> {
    const keys = this.redisKeys(accountKey, clientAddress);
    const replies = await this.redis.multi().get(keys.account).pttl(keys.account).get(keys.address).pttl(keys.address).get(keys.accountTotal).exec();
    const [accountFailures, accountTtl, addressFailures, addressTtl, total] = unwrap(replies) as [string | null, number, string | null, number, string | null];
    return this.decide(Number(accountFailures ?? 0), accountTtl, Number(addressFailures ?? 0), addressTtl, Number(total ?? 0));
  }

  /** `check`, throwing `LOGIN_LOCKED` / `LOGIN_RATE_LIMITED` (429, `details.retryAfterSeconds`) when refused. */
  async checkOrThrow(accountKey: string, clientAddress: string): Promise<void> {
    const decision = await this.check(accountKey, clientAddress);
    if (!decision.allowed) throw loginRefusedError(decision);
  }

  /** Counts a failed login; returns the decision for the *next* attempt. Record it for unknown accounts too. */
  async recordFailure(accountKey: string, clientAddress: string): Promise<LoginThrottleDecision> {
    const keys = this.redisKeys(accountKey, clientAddress);
    const [accountFailures, accountTtl, addressFailures, addressTtl, total] = (await this.redis.eval(
      RECORD_FAILURE,
      3,
      keys.account,
      keys.address,
      keys.accountTotal,
      this.limits.accountLockThreshold,
      this.limits.accountLockSeconds * 1000,
      this.limits.addressWindowSeconds * 1000,
      HARD_LOCK_MEMORY_MS,
    )) as [number, number, number, number, number];
    return this.decide(accountFailures, accountTtl, addressFailures, addressTtl, total);
  }

  /**
   * After a correct password: the account's consecutive failures end. The address budget is deliberately *not*
   * reset: an attacker who owns one account could otherwise sign into it between guesses at other people's.
   */
  async recordSuccess(accountKey: string): Promise<void> {
    await this.redis.del(this.accountRedisKey(accountKey), this.accountTotalRedisKey(accountKey));
  }

  /** An administrator lifts the account's locks, the hard one included (the address budget is left alone). */
  async unlockAccount(accountKey: string): Promise<void> {
    await this.redis.del(this.accountRedisKey(accountKey), this.accountTotalRedisKey(accountKey));
  }

  private decide(accountFailures: number, accountTtlMs: number, addressFailures: number, addressTtlMs: number, total: number): LoginThrottleDecision {
    if (total >= this.limits.accountHardLockThreshold) return { allowed: false, reason: 'account_hard_locked', retryAfterSeconds: 0 };
    const locked = accountFailures >= this.limits.accountLockThreshold;
    const limited = addressFailures >= this.limits.addressMaxFailures;
    if (!locked && !limited) return { allowed: true };
    // Both may hold; the client has to wait for the later of the two either way.
    const wait = Math.max(locked ? seconds(accountTtlMs) : 0, limited ? seconds(addressTtlMs) : 0);
    return { allowed: false, reason: locked ? 'account_locked' : 'address_rate_limited', retryAfterSeconds: wait };
  }

  /** The Redis keys for an account and an address: HMACs only, safe to log for operations (e.g. to lift a lock). */
  redisKeys(accountKey: string, clientAddress: string): { account: string; accountTotal: string; address: string } {
    return {
      account: this.accountRedisKey(accountKey),
      accountTotal: this.accountTotalRedisKey(accountKey),
      address: `${LOGIN_FAILURES_KEY_PREFIX}address:${this.pseudonym('address', clientAddressBucket(clientAddress))}`,
    };
  }

  private accountRedisKey(accountKey: string): string {
    if (accountKey.length === 0 || accountKey.length > 512) throw new AppError('LOGIN_ACCOUNT_KEY_INVALID', 'internal', 'an account key is 1–512 characters');
    return `${LOGIN_FAILURES_KEY_PREFIX}account:${this.pseudonym('account', accountKey)}`;
  }

  private accountTotalRedisKey(accountKey: string): string {
    return this.accountRedisKey(accountKey).replace(`${LOGIN_FAILURES_KEY_PREFIX}account:`, `${LOGIN_FAILURES_KEY_PREFIX}account-total:`);
  }

  /** HMAC-SHA-256, domain-separated per kind, truncated to 128 bits (collisions are irrelevant at that size). */
  private pseudonym(kind: 'account' | 'address', value: string): string {
    return createHmac('sha256', this.#secret).update(`${kind}\0${value}`).digest('hex').slice(0, 32);
  }
}

/** A key without expiry (-1) or already gone (-2) still means "try again in a second", never 0 or negative. */
function seconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

function unwrap(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new AppError('LOGIN_THROTTLE_UNAVAILABLE', 'unavailable', 'the login throttle could not read its counters', { retriable: true });
  return replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
