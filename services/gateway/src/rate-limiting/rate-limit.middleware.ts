import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { correlationId, type ErrorBody } from '@crm/http';
import { ConfigError, loadConfig, secretFrom, type Secret } from '@crm/config';
import { REDIS, type Redis } from '@crm/redis';
import { effectivePath, inspectRequestTarget } from '../forwarding/request-target.js';
import { RateLimiter } from './rate-limiter.js';

export interface RateLimits {
  /**
   * Sign-in, second factor, refresh, enrolment: what a credential-stuffing run hammers; and the public double opt-in
   * confirmation, whose token is its credential.
   */
  authPerMinute: number;
  everythingPerMinute: number;
  /**
   * Key of the HMAC that turns a client address into its Redis key. An address is personal data, and the IPv4 space
   * is small enough to hash exhaustively: an unkeyed hash would not hide it from whoever reads Redis.
   */
  keySecret: Secret;
}

const MIN_KEY_SECRET_LENGTH = 32;

export function loadRateLimits(env = process.env): RateLimits {
  const parsed = loadConfig(
    z.object({
      CRM_GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
      CRM_GATEWAY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
    }),
    env,
  );
  // `CRM_GATEWAY_RATE_LIMIT_SECRET` or `…_FILE` (default `<state dir>/secrets/gateway-rate-limit.secret`, made by `npm start`).
  const defaultFile = env.CRM_STATE_DIR === undefined ? undefined : join(env.CRM_STATE_DIR, 'secrets', 'gateway-rate-limit.secret');
  const keySecret = secretFrom(env, 'CRM_GATEWAY_RATE_LIMIT_SECRET', defaultFile);
  if (keySecret === undefined || keySecret.reveal().length < MIN_KEY_SECRET_LENGTH) {
    throw new ConfigError([`CRM_GATEWAY_RATE_LIMIT_SECRET: required, at least ${MIN_KEY_SECRET_LENGTH} characters`]);
  }
  return { authPerMinute: parsed.CRM_GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE, everythingPerMinute: parsed.CRM_GATEWAY_RATE_LIMIT_PER_MINUTE, keySecret };
}

/** A client address as the rate limiter's Redis keys name it: keyed, so the key does not reveal the address. */
export function clientKey(secret: Secret, address: string): string {
  return createHmac('sha256', secret.reveal()).update(address).digest('base64url').slice(0, 22);
}

export const RATE_LIMITS = Symbol('RATE_LIMITS');
const AUTH_PATHS = /^\/v1\/(auth|me\/mfa|me\/password|consent-confirmations)(\/|$)/;

/**
 * The strict bucket takes every credential-handling route (the double opt-in confirmation's token included), judged by the path a lenient resolver would make of the
 * target (so `http://elsewhere/v1/auth/login` or `/v1/x/%2e%2e/auth/login` is still a sign-in attempt), and every
 * target the gateway refuses outright: an honest client never sends one.
 */
export function bucketOf(target: string): 'auth' | 'all' {
  if (!inspectRequestTarget(target).ok) return 'auth';
  const path = effectivePath(target);
  return path === undefined || AUTH_PATHS.test(path) ? 'auth' : 'all';
}

/**
 * Per client address, before any route runs. The per-account lockout lives in the identity service; this is the
 * coarse, cheap first line. When Redis is unreachable the request is let through (and logged): refusing every
 * request because a counter is unavailable would turn a Redis outage into a full outage.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  readonly #limiter: RateLimiter;
  readonly #logger = new Logger('RateLimit');

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
  ) {
    this.#limiter = new RateLimiter(redis);
  }

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    // Redis keys are visible to operators and an IP address is personal data: the key is an HMAC of it.
    const client = clientKey(this.limits.keySecret, request.ip ?? request.socket.remoteAddress ?? 'unknown');
    const bucket = bucketOf(request.originalUrl);
    const limit = bucket === 'auth' ? this.limits.authPerMinute : this.limits.everythingPerMinute;
    try {
      const decision = await this.#limiter.consume(bucket, client, limit);
      // draft-ietf-httpapi-ratelimit-headers: clients (and tests) can see which budget a request was counted in.
      response.setHeader('ratelimit-policy', `"${bucket}";q=${limit};w=60`);
      response.setHeader('ratelimit', `"${bucket}";r=${decision.remaining};t=${decision.resetSeconds}`);
      if (!decision.allowed) {
        const body: ErrorBody = {
          code: 'RATE_LIMITED',
          message: 'too many requests; slow down',
          correlationId: correlationId(request),
          details: { retryAfterSeconds: decision.retryAfterSeconds },
        };
        response.setHeader('retry-after', String(decision.retryAfterSeconds));
        response.status(429).json(body);
        return;
      }
    } catch {
      this.#logger.warn('rate limiting unavailable (Redis); request let through');
    }
    next();
  }
}
