// Issuer → JwtVerifier round trip with the store's own JWKS, across a key rotation (file system only, no servers).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { JwtVerifier, type RevocationCheck } from '@crm/auth';
import { SigningKeyStore } from '../signing-keys/signing-key.store.js';
import { AccessTokenIssuer } from './access-token.issuer.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const noneRevoked: RevocationCheck = { isRevoked: async () => false };
const request = {
  userId: '0193a8e4-0000-7000-8000-000000000001',
  roles: ['dpo'],
  permissions: ['contacts:read', 'contacts:export', 'subjects:erase', 'consent:read', 'audit:read', 'register:manage'] as const,
  amr: ['pwd', 'otp'] as const,
  mfaAt: new Date(T0 - 30_000),
  sessionId: '0193a8e4-0000-7000-8000-0000000000aa',
};

describe('issuing and verifying access tokens', () => {
  let clock: { now: number };
  let store: SigningKeyStore;
  let issuer: AccessTokenIssuer;
  let verifier: JwtVerifier;

  beforeEach(async () => {
    clock = { now: T0 };
    const now = () => new Date(clock.now);
    store = new SigningKeyStore({
      directory: SigningKeyStore.directoryFor(await mkdtemp(join(tmpdir(), 'crm-issuer-'))),
      accessTokenLifetimeSeconds: 600,
      now,
    });
    issuer = new AccessTokenIssuer(store, { now });
    verifier = new JwtVerifier({ keys: () => store.jwks(), revocation: noneRevoked, now });
  });

  it('given a session whose roles configuration exempts from the second factor, then the token says mfa_exempt and the verifier keeps it', async () => {
    const exempt = { ...request, roles: ['sales'], permissions: ['contacts:read' as const], amr: ['pwd' as const], mfaAt: undefined, mfaExempt: true };
    const claims = await verifier.verify(await issuer.issue(exempt));
    expect([claims.amr, claims.mfa_exempt, 'mfa_at' in claims]).toEqual([['pwd'], true, false]);
    // Not exempt: no claim at all (the guard's default is "second factor required").
    expect('mfa_exempt' in (await verifier.verify(await issuer.issue({ ...exempt, mfaExempt: false })))).toBe(false);
  });

  it('given an issued token, then the verifier accepts it with exactly the claims that were asked for', async () => {
    const token = await issuer.issue({ ...request, permissions: [...request.permissions], amr: [...request.amr] });

    const claims = await verifier.verify(token);

    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: (await store.current()).kid });
    expect(claims).toEqual({
      sub: request.userId,
      iss: 'crm-identity',
      aud: 'crm-api',
      iat: T0 / 1000,
      nbf: T0 / 1000,
      exp: T0 / 1000 + 600,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      sid: request.sessionId,
      roles: ['dpo'],
      perms: [...request.permissions],
      amr: ['pwd', 'otp'],
      mfa_at: T0 / 1000 - 30,
    });
  });

  it('given two tokens, then their ids differ', async () => {
    const ids = await Promise.all([1, 2].map(async () => (await verifier.verify(await issuer.issue({ ...request, permissions: [], amr: ['pwd'] }))).jti));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('given a rotation, then tokens of the old and the new key both verify while the old key is published, and the old one lapses with it', async () => {
    const before = await issuer.issue({ ...request, permissions: [], amr: ['pwd'] });
    const oldKid = decodeProtectedHeader(before).kid;

    clock.now = T0 + 60_000;
    await store.rotate();
    const after = await issuer.issue({ ...request, permissions: [], amr: ['pwd'] });

    expect(decodeProtectedHeader(after).kid).not.toBe(oldKid);
    await expect(verifier.verify(before)).resolves.toMatchObject({ sub: request.userId });
    await expect(verifier.verify(after)).resolves.toMatchObject({ sub: request.userId });
    // A verifier holding a snapshot of the published set (as the gateway's cache does) accepts both, too.
    const snapshot = new JwtVerifier({ keys: await store.jwks(), revocation: noneRevoked, now: () => new Date(clock.now) });
    await expect(snapshot.verify(before)).resolves.toMatchObject({ sub: request.userId, jti: decodeJwt(before).jti });
    await expect(snapshot.verify(after)).resolves.toMatchObject({ sub: request.userId, jti: decodeJwt(after).jti });

    clock.now = T0 + 60_000 + 605_000;
    expect((await store.jwks()).keys.map((key) => key.kid)).not.toContain(oldKid);
  });

  it('given a request a verifier would reject, then nothing is signed', async () => {
    await expect(issuer.issue({ ...request, permissions: ['everything' as never], amr: ['pwd'] })).rejects.toMatchObject({
      code: 'ACCESS_TOKEN_REQUEST_INVALID',
      details: { fields: ['permissions'] },
    });
    await expect(issuer.issue({ ...request, permissions: [], amr: [] })).rejects.toMatchObject({ code: 'ACCESS_TOKEN_REQUEST_INVALID' });
  });
});
