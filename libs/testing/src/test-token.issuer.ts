import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { ACCESS_TOKEN_TYPE, CRM_TOKEN_AUDIENCE, CRM_TOKEN_ISSUER, type Permission } from '@crm/auth';

export interface TestTokenOptions {
  sub?: string;
  perms: readonly Permission[];
  roles?: readonly string[];
  /**
   * Seconds since the last second factor. Absent: the session had one an hour ago (every role that sees personal data
   * must use one, and an hour is older than any step-up window), unless `passwordOnly`.
   */
  mfaAgeSeconds?: number;
  /** A session signed in with a password alone (no `otp` in `amr`, no `mfa_at`). */
  passwordOnly?: boolean;
  /** The `mfa_exempt` claim identity sets when configuration exempts the holder's roles from the second factor. */
  mfaExempt?: boolean;
}

const DEFAULT_MFA_AGE_SECONDS = 3_600;

/**
 * Signs real ES256 access tokens for integration tests of a service booted on its own (without the identity
 * service): pass `jwks()` as the service's verification keys. The verifier, guard and claims are the real ones.
 */
export class TestTokenIssuer {
  private constructor(
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly keys: JSONWebKeySet,
  ) {}

  static async create(): Promise<TestTokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    return new TestTokenIssuer(kid, privateKey, { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] });
  }

  jwks(): JSONWebKeySet {
    return this.keys;
  }

  async token(options: TestTokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const secondFactor = options.passwordOnly !== true;
    const mfaAge = options.mfaAgeSeconds ?? DEFAULT_MFA_AGE_SECONDS;
    return new SignJWT({
      sub: options.sub ?? randomUUID(),
      iss: CRM_TOKEN_ISSUER,
      aud: CRM_TOKEN_AUDIENCE,
      iat: now,
      nbf: now,
      exp: now + 600,
      jti: randomUUID(),
      sid: randomUUID(),
      roles: [...(options.roles ?? ['test'])],
      perms: [...options.perms],
      amr: secondFactor ? ['pwd', 'otp'] : ['pwd'],
      ...(secondFactor ? { mfa_at: now - mfaAge } : {}),
      ...(options.mfaExempt === true ? { mfa_exempt: true } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: ACCESS_TOKEN_TYPE })
      .sign(this.privateKey);
  }
}
