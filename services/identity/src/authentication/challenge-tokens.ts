import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '@crm/platform';
import { AppError } from '@crm/errors';
import type { Redis } from '@crm/redis';
import type { SigningKeyStore } from '../tokens/index.js';

export type ChallengePurpose = 'mfa' | 'enroll' | 'password';

const TYPE = 'crm-challenge+jwt';
const ISSUER = 'crm-identity';
const AUDIENCE = 'crm-identity';
const LIFETIME_SECONDS = 300;
/** A used challenge's id, kept as long as the challenge could still verify (lifetime + clock tolerance). */
export const CHALLENGE_USED_KEY_PREFIX = 'crm:identity:challenge-used:';
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The short-lived proof that a password was right, exchanged for tokens once the second factor is given (`mfa`) or
 * enrolled (`enroll`), or for a password change when the password has expired (`password`). Its own `typ` and audience keep it from ever being accepted as an access token (RFC 8725 §3.11).
 */
export class ChallengeTokens {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly clock: Clock,
    private readonly redis: Redis,
  ) {}

  async issue(userId: string, purpose: ChallengePurpose): Promise<string> {
    const key = await this.keys.current();
    const now = Math.floor(this.clock().getTime() / 1000);
    return new SignJWT({ purpose })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: TYPE })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + LIFETIME_SECONDS)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(key.privateKey);
  }

  /** The user id, or CHALLENGE_INVALID for anything else: expired, forged, used, or issued for the other purpose. */
  async verify(token: unknown, purpose: ChallengePurpose): Promise<string> {
    const { sub, jti } = await this.#claims(token, purpose);
    if ((await this.redis.exists(`${CHALLENGE_USED_KEY_PREFIX}${jti}`)) > 0) throw challengeInvalid();
    return sub;
  }

  /**
   * Marks a challenge used, once its step succeeded: a second exchange of the same token answers CHALLENGE_INVALID
   * (a phishing proxy that captured the sign-in's `mfaToken` cannot mint sessions with later codes). `SET NX` makes
   * two concurrent exchanges of one token end with one winner, across instances.
   */
  async consume(token: unknown, purpose: ChallengePurpose): Promise<void> {
    const { jti, exp } = await this.#claims(token, purpose);
    const ttl = Math.max(1, exp + CLOCK_TOLERANCE_SECONDS - Math.floor(this.clock().getTime() / 1000));
    if ((await this.redis.set(`${CHALLENGE_USED_KEY_PREFIX}${jti}`, '1', 'EX', ttl, 'NX')) !== 'OK') throw challengeInvalid();
  }

  async #claims(token: unknown, purpose: ChallengePurpose): Promise<{ sub: string; jti: string; exp: number }> {
    if (typeof token !== 'string' || token.length > 4096) throw challengeInvalid();
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await this.keys.jwks()), {
        algorithms: ['ES256'],
        typ: TYPE,
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.clock(),
      });
      const { sub, jti, exp } = payload;
      if (payload.purpose !== purpose || typeof sub !== 'string' || typeof jti !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(jti) || typeof exp !== 'number') {
        throw challengeInvalid();
      }
      return { sub, jti, exp };
    } catch {
      throw challengeInvalid();
    }
  }
}

function challengeInvalid(): AppError {
  return new AppError('CHALLENGE_INVALID', 'unauthenticated', 'the sign-in step has expired or is not valid; sign in again');
}
