import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { AppError } from '@crm/errors';
import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import { JwtVerifier, RedisRevocationList, revokedSessionKey } from '../index.js';
import { generateTestKey, keySet, signToken, validClaims, type TestKey } from './token.fixture.js';

const NOW = 1_800_000_000;
const now = () => new Date(NOW * 1000);
const redis = createRedis(testPlatformConfig().redis, 'auth-int-test');
const revocations = new RedisRevocationList(redis);

let key: TestKey;
beforeAll(async () => {
  key = await generateTestKey();
});
afterAll(() => redis.quit());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return `${error.kind}:${error.code}`;
}

describe('revoked sessions, on the real Redis', () => {
  it('given the session of a valid token is revoked, then the token is refused as TOKEN_REVOKED; other sessions are unaffected', async () => {
    const verifier = new JwtVerifier({ keys: keySet(key), revocation: revocations, now });
    const sessionId = uniqueName('sid');
    const otherSessionId = uniqueName('sid');
    const token = await signToken(key, validClaims(NOW, { sid: sessionId }));
    const other = await signToken(key, validClaims(NOW, { sid: otherSessionId }));
    await expect(verifier.verify(token)).resolves.toMatchObject({ sid: sessionId });

    await revocations.revoke([sessionId], 605);

    expect(await codeOf(verifier.verify(token))).toBe('unauthenticated:TOKEN_REVOKED');
    await expect(verifier.verify(other)).resolves.toMatchObject({ sid: otherSessionId });
    const ttl = await redis.ttl(revokedSessionKey(sessionId));
    expect(ttl).toBeGreaterThan(600);
    expect(ttl).toBeLessThanOrEqual(605);
  });
});

describe('keys from identity over HTTP (the gateway path)', () => {
  let server: Server;
  let served: JSONWebKeySet;
  let fetches = 0;
  let url: URL;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('given a rotation, when a token with the new kid arrives, then the verifier refetches the set once and accepts it', async () => {
    const rotated = await generateTestKey();
    served = keySet(key);
    const verifier = new JwtVerifier({ keys: url, revocation: revocations, now, remote: { cooldownMs: 0 } });
    await expect(verifier.verify(await signToken(key, validClaims(NOW, { jti: 'old-key-1' })))).resolves.toMatchObject({ jti: 'old-key-1' });
    await expect(verifier.verify(await signToken(key, validClaims(NOW, { jti: 'old-key-2' })))).resolves.toMatchObject({ jti: 'old-key-2' });
    const before = fetches;

    served = keySet(rotated, key);

    await expect(verifier.verify(await signToken(rotated, validClaims(NOW, { jti: 'new-key' })))).resolves.toMatchObject({ jti: 'new-key' });
    await expect(verifier.verify(await signToken(key, validClaims(NOW, { jti: 'old-key-3' })))).resolves.toMatchObject({ jti: 'old-key-3' });
    expect(fetches - before).toBe(1);
  });

  it('given an unknown kid within the refetch cooldown, then "try again" (503), not "invalid": the set may just be stale', async () => {
    served = keySet(key);
    const verifier = new JwtVerifier({ keys: url, revocation: revocations, now, remote: { cooldownMs: 60_000 } });
    await expect(verifier.verify(await signToken(key, validClaims(NOW, { jti: 'known-key' })))).resolves.toMatchObject({ jti: 'known-key' });

    const stranger = await generateTestKey();

    expect(await codeOf(verifier.verify(await signToken(stranger, validClaims(NOW))))).toBe('unavailable:AUTH_UNAVAILABLE');
  });

  it('given an unknown kid after a refetch, then TOKEN_INVALID', async () => {
    served = keySet(key);
    const verifier = new JwtVerifier({ keys: url, revocation: revocations, now, remote: { cooldownMs: 0 } });
    const stranger = await generateTestKey();
    expect(await codeOf(verifier.verify(await signToken(stranger, validClaims(NOW))))).toBe('unauthenticated:TOKEN_INVALID');
  });

  it('given identity cannot be reached, then the token is refused as AUTH_UNAVAILABLE (retriable), not as invalid', async () => {
    const verifier = new JwtVerifier({ keys: new URL('http://127.0.0.1:1/.well-known/jwks.json'), revocation: revocations, now });
    expect(await codeOf(verifier.verify(await signToken(key, validClaims(NOW))))).toBe('unavailable:AUTH_UNAVAILABLE');
  });
});
