import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '@crm/platform';
import { AppError } from '@crm/errors';
import type { SigningKeyStore } from '../tokens/index.js';

export type ChallengePurpose = 'mfa' | 'enroll' | 'password';

const TYPE = 'crm-challenge+jwt';
const ISSUER = 'crm-identity';
const AUDIENCE = 'crm-identity';
const LIFETIME_SECONDS = 300;

/**
 * The short-lived proof that a password was right, exchanged for tokens once the second factor is given (`mfa`) or
 * enrolled (`enroll`), or for a password change when the password has expired (`password`). Its own `typ` and audience keep it from ever being accepted as an access token (RFC 8725 §3.11).
 */
export class ChallengeTokens {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly clock: Clock,
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

  /** The user id, or CHALLENGE_INVALID for anything else: expired, forged, or issued for the other purpose. */
  async verify(token: unknown, purpose: ChallengePurpose): Promise<string> {
    if (typeof token !== 'string' || token.length > 4096) throw challengeInvalid();
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await this.keys.jwks()), {
        algorithms: ['ES256'],
        typ: TYPE,
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: 5,
      });
      if (payload.purpose !== purpose || typeof payload.sub !== 'string') throw challengeInvalid();
      return payload.sub;
    } catch {
      throw challengeInvalid();
    }
  }
}

function challengeInvalid(): AppError {
  return new AppError('CHALLENGE_INVALID', 'unauthenticated', 'the sign-in step has expired or is not valid; sign in again');
}
