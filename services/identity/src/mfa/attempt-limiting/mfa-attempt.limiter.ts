import { AppError } from '@crm/errors';
import type { Redis } from '@crm/redis';
import { mfaRateLimitedError } from '../mfa.errors.js';
import { assertUserId } from '../redis-key.js';

export const MFA_ATTEMPTS_KEY_PREFIX = 'crm:identity:mfa-attempts:';

export interface MfaAttemptLimits {
  /** Failed attempts allowed per window. */
  maxFailures: number;
  windowSeconds: number;
}

/**
 * 5 per 5 minutes: a 6-digit TOTP with a ±1 window has 3 valid codes in 10^6, so a guesser needs ~333 000 tries
 * for even odds, i.e. ~300 days at this rate (SP 800-63B §5.2.2 asks for at most 100 consecutive failures).
 */
export const DEFAULT_MFA_ATTEMPT_LIMITS: Readonly<MfaAttemptLimits> = Object.freeze({ maxFailures: 5, windowSeconds: 300 });

export interface MfaAttemptDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise how long until the window ends. */
  retryAfterSeconds: number;
  /** Attempts left in this window after this one. */
  remaining: number;
}

/**
 * Counts the attempt *before* the code is checked and refuses once the budget is spent; the window starts at the
 * first attempt. One Lua script, so the read, the increment and the expiry are one atomic step for every instance.
 * Reserving first matters: with "check, verify, then record the failure", 1 000 concurrent requests would all pass
 * the check before the first failure is recorded, and a 6-digit code falls to such bursts.
 */
const CONSUME = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if used >= tonumber(ARGV[1]) then
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
  return {0, used, ttl}
end
used = redis.call('INCR', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {1, used, ttl}
`;

/**
 * Second-factor attempts per user (TOTP and recovery codes share one budget, else an attacker alternates).
 * Use: `consume` before verifying (refuse with `MFA_RATE_LIMITED` if not allowed), `recordSuccess` after a correct
 * code (the attempts before it were the user's own typos). A failed attempt needs no further call: it was counted.
 */
export class MfaAttemptLimiter {
  readonly limits: Readonly<MfaAttemptLimits>;

  constructor(
    private readonly redis: Redis,
    limits: Partial<MfaAttemptLimits> = {},
  ) {
    this.limits = Object.freeze({ ...DEFAULT_MFA_ATTEMPT_LIMITS, ...limits });
    const { maxFailures, windowSeconds } = this.limits;
    if (!Number.isInteger(maxFailures) || maxFailures < 1 || !Number.isInteger(windowSeconds) || windowSeconds < 1) {
      throw new RangeError('MFA attempt limits must be positive integers');
    }
  }

  /** Reserves one attempt; `allowed: false` when the budget of this window is spent (nothing is counted then). */
  async consume(userId: string): Promise<MfaAttemptDecision> {
    assertUserId(userId);
    const [allowed, used, ttlMs] = (await this.redis.eval(CONSUME, 1, this.key(userId), this.limits.maxFailures, this.limits.windowSeconds * 1000)) as [
      number,
      number,
      number,
    ];
    return {
      allowed: allowed === 1,
      retryAfterSeconds: allowed === 1 ? 0 : Math.ceil(ttlMs / 1000),
      remaining: Math.max(0, this.limits.maxFailures - used),
    };
  }

  /** `consume`, throwing `MFA_RATE_LIMITED` (429, `details.retryAfterSeconds`) when refused. */
  async consumeOrThrow(userId: string): Promise<MfaAttemptDecision> {
    const decision = await this.consume(userId);
    if (!decision.allowed) throw mfaRateLimitedError(decision.retryAfterSeconds);
    return decision;
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

  /** After a correct code: the budget starts afresh. */
  async recordSuccess(userId: string): Promise<void> {
    assertUserId(userId);
    await this.redis.del(this.key(userId));
  }

  private key(userId: string): string {
    return `${MFA_ATTEMPTS_KEY_PREFIX}${userId}`;
  }
}
