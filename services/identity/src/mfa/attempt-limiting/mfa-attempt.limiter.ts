import { AppError } from '@crm/errors';
import type { Redis } from '@crm/redis';
import { mfaLockedError, mfaRateLimitedError } from '../mfa.errors.js';
import { assertUserId } from '../redis-key.js';

export const MFA_ATTEMPTS_KEY_PREFIX = 'crm:identity:mfa-attempts:';
/** Failed second-factor attempts since the last unlock: no expiry, the window does not reset it. */
export const MFA_FAILURES_KEY_PREFIX = 'crm:identity:mfa-failures:';

export interface MfaAttemptLimits {
  /** Failed attempts allowed per window. */
  maxFailures: number;
  windowSeconds: number;
  /**
   * Failed attempts allowed in all, whatever the windows: the next TOTP attempt is refused (`MFA_LOCKED`) until an
   * administrator unlocks the second factor or the user signs in with a recovery code (SP 800-63B §5.2.2: at most
   * 100 consecutive failures). Default 100, so the 101st failure is the one that locks.
   */
  maxCumulativeFailures: number;
}

/** What an attempt is made with: a TOTP code, or a recovery code (still allowed on a locked second factor). */
export type MfaAttemptKind = 'totp' | 'recovery';

/**
 * 5 per 5 minutes: a 6-digit TOTP with a ±1 window has 3 valid codes in 10^6, so a guesser needs ~333 000 tries
 * for even odds, i.e. ~300 days at this rate (SP 800-63B §5.2.2 asks for at most 100 consecutive failures).
 */
export const DEFAULT_MFA_ATTEMPT_LIMITS: Readonly<MfaAttemptLimits> = Object.freeze({ maxFailures: 5, windowSeconds: 300, maxCumulativeFailures: 100 });

export interface MfaAttemptDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise how long until the window ends. */
  retryAfterSeconds: number;
  /** Attempts left in this window after this one. */
  remaining: number;
  /** Present when refused because the second factor is hard-locked (cumulative failures). */
  locked?: true;
}

/**
 * Counts the attempt *before* the code is checked and refuses once the budget is spent; the window starts at the
 * first attempt. One Lua script, so the read, the increment and the expiry are one atomic step for every instance.
 * Reserving first matters: with "check, verify, then record the failure", 1 000 concurrent requests would all pass
 * the check before the first failure is recorded, and a 6-digit code falls to such bursts.
 */
/**
 * The cumulative counter (KEYS[2]) is reserved the same way, with no expiry: a TOTP attempt (ARGV[4] = '1') is
 * refused once it reached the cumulative maximum (ARGV[3]); a recovery-code attempt is not, since a recovery code
 * is how the user unlocks.
 */
const CONSUME = `
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[4] == '1' and failures >= tonumber(ARGV[3]) then
  return {-1, 0, 0}
end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if used >= tonumber(ARGV[1]) then
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
  return {0, used, ttl}
end
used = redis.call('INCR', KEYS[1])
redis.call('INCR', KEYS[2])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {1, used, ttl}
`;

/** A correct code: the window starts afresh; the reserved attempt was no failure (a recovery code also unlocks). */
const SUCCEED = `
redis.call('DEL', KEYS[1])
if ARGV[1] == 'recovery' then
  redis.call('DEL', KEYS[2])
elseif tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  redis.call('DECR', KEYS[2])
end
return 1
`;

/**
 * Second-factor attempts per user (TOTP and recovery codes share one budget, else an attacker alternates).
 * Use: `consume` before verifying (refuse with `MFA_RATE_LIMITED` or `MFA_LOCKED` if not allowed), `recordSuccess`
 * after a correct code (the window's attempts before it were the user's own typos). A failed attempt needs no
 * further call: it was counted, in the window and in the cumulative counter, which only `unlock` (an administrator)
 * or a correct recovery code resets.
 */
export class MfaAttemptLimiter {
  readonly limits: Readonly<MfaAttemptLimits>;

  constructor(
    private readonly redis: Redis,
    limits: Partial<MfaAttemptLimits> = {},
  ) {
    this.limits = Object.freeze({ ...DEFAULT_MFA_ATTEMPT_LIMITS, ...limits });
    const { maxFailures, windowSeconds, maxCumulativeFailures } = this.limits;
    if ([maxFailures, windowSeconds, maxCumulativeFailures].some((limit) => !Number.isInteger(limit) || limit < 1)) {
      throw new RangeError('MFA attempt limits must be positive integers');
    }
  }

  /**
   * Reserves one attempt; `allowed: false` when the budget of this window is spent, or (`locked`) when a TOTP
   * attempt meets a hard-locked second factor (nothing is counted then).
   */
  async consume(userId: string, kind: MfaAttemptKind = 'totp'): Promise<MfaAttemptDecision> {
    assertUserId(userId);
    const [allowed, used, ttlMs] = (await this.redis.eval(
      CONSUME,
      2,
      this.key(userId),
      this.failuresKey(userId),
      this.limits.maxFailures,
      this.limits.windowSeconds * 1000,
      this.limits.maxCumulativeFailures,
      kind === 'totp' ? '1' : '0',
    )) as [number, number, number];
    if (allowed === -1) return { allowed: false, retryAfterSeconds: 0, remaining: 0, locked: true };
    return {
      allowed: allowed === 1,
      retryAfterSeconds: allowed === 1 ? 0 : Math.ceil(ttlMs / 1000),
      remaining: Math.max(0, this.limits.maxFailures - used),
    };
  }

  /** `consume`, throwing `MFA_LOCKED` (403) or `MFA_RATE_LIMITED` (429, `details.retryAfterSeconds`) when refused. */
  async consumeOrThrow(userId: string, kind: MfaAttemptKind = 'totp'): Promise<MfaAttemptDecision> {
    const decision = await this.consume(userId, kind);
    if (decision.locked === true) throw mfaLockedError();
    if (!decision.allowed) throw mfaRateLimitedError(decision.retryAfterSeconds);
    return decision;
  }

  /** Whether the second factor is hard-locked (TOTP refused until an unlock). */
  async isLocked(userId: string): Promise<boolean> {
    assertUserId(userId);
    return Number((await this.redis.get(this.failuresKey(userId))) ?? 0) >= this.limits.maxCumulativeFailures;
  }

  /** An administrator lifts the hard lock: the cumulative counter and the window start afresh. */
  async unlock(userId: string): Promise<void> {
    assertUserId(userId);
    await this.redis.del(this.key(userId), this.failuresKey(userId));
  }

  /** Read-only: whether an attempt would be allowed now (for showing a wait time). */
  async status(userId: string): Promise<MfaAttemptDecision> {
    assertUserId(userId);
    const replies = await this.redis.multi().get(this.key(userId)).pttl(this.key(userId)).exec();
    if (replies === null) throw new AppError('MFA_LIMITER_UNAVAILABLE', 'unavailable', 'the attempt counter could not be read', { retriable: true });
    const [used, ttlMs] = replies.map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    }) as [string | null, number];
    const count = Number(used ?? 0);
    const allowed = count < this.limits.maxFailures;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(ttlMs / 1000)),
      remaining: Math.max(0, this.limits.maxFailures - count),
    };
  }

  /**
   * After a correct code: the window's budget starts afresh and the attempt is taken off the cumulative counter
   * (it was no failure); a correct recovery code also resets the cumulative counter (it unlocks).
   */
  async recordSuccess(userId: string, kind: MfaAttemptKind = 'totp'): Promise<void> {
    assertUserId(userId);
    await this.redis.eval(SUCCEED, 2, this.key(userId), this.failuresKey(userId), kind);
  }

  private key(userId: string): string {
    return `${MFA_ATTEMPTS_KEY_PREFIX}${userId}`;
  }

  private failuresKey(userId: string): string {
    return `${MFA_FAILURES_KEY_PREFIX}${userId}`;
  }
}
