// Test-only (not exported from the lib): an ES256 key set and a signer for access tokens with chosen claims, so the
// attack suite can build exactly the malformed or forged tokens it needs.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_TYPE, CRM_TOKEN_AUDIENCE, CRM_TOKEN_ISSUER } from './access-token.claims.js';

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function generateTestKey(): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

export function keySet(...keys: TestKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

/** Claims of a valid token at `nowSeconds`, lifetime 10 minutes. */
export function validClaims(nowSeconds: number, overrides: JWTPayload = {}): JWTPayload {
  return {
    sub: 'user-1',
    iss: CRM_TOKEN_ISSUER,
    aud: CRM_TOKEN_AUDIENCE,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 600,
    jti: 'jti-1',
    sid: 'session-1',
    roles: ['sales'],
    perms: ['contacts:read', 'contacts:write', 'consent:read'],
    // Reading contacts needs a second factor (issue 15): the default caller signed in with one.
    amr: ['pwd', 'otp'],
    ...overrides,
  };
}

export async function signToken(key: TestKey, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: ACCESS_TOKEN_TYPE, ...header }).sign(key.privateKey);
}

/** base64url of JSON, for hand-made tokens (`alg: none`, spliced signatures). */
export function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
