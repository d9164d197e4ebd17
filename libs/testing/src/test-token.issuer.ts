import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { ACCESS_TOKEN_TYPE, CRM_TOKEN_AUDIENCE, CRM_TOKEN_ISSUER, type Permission } from '@crm/auth';

export interface TestTokenOptions {
  sub?: string;
  perms: readonly Permission[];
  roles?: readonly string[];
  /** Seconds since the last second factor; absent means the session never had one. */
  mfaAgeSeconds?: number;
}

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
    const secondFactor = options.mfaAgeSeconds !== undefined;
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
      ...(secondFactor ? { mfa_at: now - options.mfaAgeSeconds! } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: ACCESS_TOKEN_TYPE })
      .sign(this.privateKey);
  }
}
