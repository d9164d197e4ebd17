import type { Redis } from '@crm/redis';

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/**
 * Fixed one-minute windows per (bucket, client) in Redis, shared by every gateway instance. INCR and EXPIRE run in
 * one MULTI so a crash between them cannot leave a counter without expiry (which would block a client for good).
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(bucket: string, client: string, limitPerMinute: number): Promise<RateLimitDecision> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const window = Math.floor(nowSeconds / 60);
    const key = `crm:gateway:rate:${bucket}:${window}:${client}`;
    const result = await this.redis.multi().incr(key).expire(key, 61).exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    const retryAfterSeconds = (window + 1) * 60 - nowSeconds;
    return {
      allowed: count <= limitPerMinute,
      remaining: Math.max(0, limitPerMinute - count),
      retryAfterSeconds: count <= limitPerMinute ? 0 : retryAfterSeconds,
      resetSeconds: retryAfterSeconds,
    };
  }
}
