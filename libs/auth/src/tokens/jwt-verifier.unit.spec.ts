// The JWT attack suite (RFC 8725 §2 threats): every forged, replayed or out-of-window token is refused with a 401
// kind error that carries one stable code and never the token itself.
import { exportSPKI, importJWK, SignJWT, type CryptoKey } from 'jose';
import { AppError } from '@crm/errors';
import { JwtVerifier, type RevocationCheck } from '../index.js';
import { generateTestKey, keySet, segment, signToken, validClaims, type TestKey } from './token.fixture.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => () => new Date(seconds * 1000);
const noneRevoked: RevocationCheck = { isRevoked: async () => false };

let key: TestKey;
let otherKey: TestKey;
let verifier: JwtVerifier;

beforeAll(async () => {
  key = await generateTestKey();
  otherKey = await generateTestKey();
  verifier = new JwtVerifier({ keys: keySet(key), revocation: noneRevoked, now: at(NOW) });
});

async function rejection(token: string, using: JwtVerifier = verifier): Promise<AppError> {
  const error = await using.verify(token).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  // Never echo the token, nor any part of it, to the client or a log.
  const payload = token.split('.')[1] ?? '';
  if (payload.length > 8) expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(payload);
  return error;
}

describe('verifying an access token', () => {
  it('given a valid ES256 token of our issuer, then its claims are returned, without permissions unknown to this verifier', async () => {
    const token = await signToken(key, validClaims(NOW, { perms: ['contacts:read', 'galaxy:rule'], mfa_at: NOW - 10 }));

    const claims = await verifier.verify(token);

    expect(claims).toEqual({
      sub: 'user-1',
      iss: 'crm-identity',
      aud: 'crm-api',
      iat: NOW,
      nbf: NOW,
      exp: NOW + 600,
      jti: 'jti-1',
      sid: 'session-1',
      roles: ['sales'],
      perms: ['contacts:read'],
      amr: ['pwd', 'otp'],
      mfa_at: NOW - 10,
    });
  });

  it('given keys from a provider (identity verifying its own tokens), then the token verifies', async () => {
    const provided = new JwtVerifier({ keys: async () => keySet(otherKey, key), revocation: noneRevoked, now: at(NOW) });
    await expect(provided.verify(await signToken(key, validClaims(NOW)))).resolves.toMatchObject({ sub: 'user-1' });
  });

  describe('the attack suite', () => {
    it('given alg "none" (an unsigned token), then it is refused', async () => {
      const payload = segment(validClaims(NOW));
      for (const alg of ['none', 'None', 'NONE']) {
        const token = `${segment({ alg, typ: 'at+jwt', kid: key.kid })}.${payload}.`;
        expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID', kind: 'unauthenticated' });
      }
    });

    it('given HS256 signed with the public key as the HMAC secret (key confusion), then it is refused', async () => {
      const secrets = [
        new TextEncoder().encode(await exportSPKI(await importPublic(key))),
        new TextEncoder().encode(JSON.stringify(key.publicJwk)),
        Buffer.from(key.publicJwk.x!, 'base64url'),
      ];
      for (const secret of secrets) {
        const token = await new SignJWT(validClaims(NOW)).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' }).sign(secret);
        expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID', kind: 'unauthenticated' });
      }
    });

    it('given a key id that is not in the key set, then it is refused', async () => {
      const token = await signToken(otherKey, validClaims(NOW));
      expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID', kind: 'unauthenticated' });
    });

    it('given our key id but a signature by another key, or no key id at all, then it is refused', async () => {
      expect(await rejection(await signToken(otherKey, validClaims(NOW), { kid: key.kid }))).toMatchObject({ code: 'TOKEN_INVALID' });
      const withoutKid = await new SignJWT(validClaims(NOW)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(otherKey.privateKey);
      expect(await rejection(withoutKid)).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('given the attacker embeds its own public key in the header (jwk / jku), then it is refused', async () => {
      const token = await signToken(otherKey, validClaims(NOW), { kid: undefined, jwk: otherKey.publicJwk, jku: 'https://attacker.example/jwks.json' });
      expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('given an expired token, then it is refused as TOKEN_EXPIRED, but only after the 5 s clock tolerance', async () => {
      const token = await signToken(key, validClaims(NOW - 600));
      await expect(new JwtVerifier({ keys: keySet(key), revocation: noneRevoked, now: at(NOW + 4) }).verify(token)).resolves.toMatchObject({ exp: NOW });
      const late = new JwtVerifier({ keys: keySet(key), revocation: noneRevoked, now: at(NOW + 6) });
      expect(await rejection(token, late)).toMatchObject({ code: 'TOKEN_EXPIRED', kind: 'unauthenticated' });
    });

    it('given an expired token with a forged signature, then it is TOKEN_INVALID: expiry is only judged on authentic tokens', async () => {
      const token = await signToken(otherKey, validClaims(NOW - 3600), { kid: key.kid });
      expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('given a token that is not yet valid (nbf in the future), then it is refused', async () => {
      const token = await signToken(key, validClaims(NOW, { nbf: NOW + 60 }));
      expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID', kind: 'unauthenticated' });
    });

    it('given a token minted with an absurd lifetime (iat long ago, exp far ahead), then it is refused', async () => {
      const token = await signToken(key, validClaims(NOW - 7200, { exp: NOW + 86_400 }));
      expect((await rejection(token)).kind).toBe('unauthenticated');
    });

    it('given a wrong issuer, then it is refused', async () => {
      for (const iss of ['crm-identity-evil', 'https://crm-identity', 'CRM-IDENTITY']) {
        expect(await rejection(await signToken(key, validClaims(NOW, { iss })))).toMatchObject({ code: 'TOKEN_INVALID' });
      }
    });

    it('given a wrong audience, then it is refused', async () => {
      for (const aud of ['crm-admin', ['other-api'], 'crm-api ']) {
        expect(await rejection(await signToken(key, validClaims(NOW, { aud })))).toMatchObject({ code: 'TOKEN_INVALID' });
      }
    });

    it('given a tampered payload (a signature taken from another payload), then it is refused', async () => {
      const [header, , signature] = (await signToken(key, validClaims(NOW))).split('.');
      const escalated = segment(validClaims(NOW, { roles: ['administrator'], perms: ['users:manage', 'roles:manage'] }));
      expect(await rejection(`${header}.${escalated}.${signature}`)).toMatchObject({ code: 'TOKEN_INVALID' });
    });

    it('given a JWT of another type (an ID token, a plain JWT) or none, then it is refused', async () => {
      for (const typ of ['JWT', 'id_token+jwt', 'application/jwt', undefined]) {
        expect(await rejection(await signToken(key, validClaims(NOW), { typ }))).toMatchObject({ code: 'TOKEN_INVALID' });
      }
    });

    it('given a required claim missing or a custom claim of the wrong shape, then it is refused', async () => {
      for (const claim of ['sub', 'sid', 'jti', 'nbf', 'iat', 'roles', 'perms', 'amr']) {
        const claims = validClaims(NOW);
        delete claims[claim];
        expect(await rejection(await signToken(key, claims))).toMatchObject({ code: 'TOKEN_INVALID' });
      }
      for (const wrong of [
        { perms: 'users:manage' },
        { roles: [1] },
        { sub: '' },
        { mfa_at: 'yesterday' },
        { mfa_exempt: false },
        { mfa_exempt: 'yes' },
        { sid: 'x'.repeat(500) },
      ]) {
        expect(await rejection(await signToken(key, validClaims(NOW, wrong)))).toMatchObject({ code: 'TOKEN_INVALID' });
      }
    });

    it('given garbage instead of a token, then it is refused without parsing huge inputs', async () => {
      for (const token of ['', 'abc', 'a.b', 'a.b.c', '..', 'ä.ö.ü', `${'a'.repeat(10_000)}.b.c`, `${segment({ alg: 'ES256' })}.%%%.abc`]) {
        expect(await rejection(token)).toMatchObject({ code: 'TOKEN_INVALID', kind: 'unauthenticated' });
      }
    });
  });

  describe('a token verified lately', () => {
    /** A verifier on a clock the test moves, counting the signature checks (each one looks the key set up). */
    function countingVerifier(options: { verifiedTtlMs?: number } = {}) {
      const counted = { keyLookups: 0, seconds: NOW };
      const verifier = new JwtVerifier({
        keys: async () => {
          counted.keyLookups++;
          return keySet(key);
        },
        revocation: noneRevoked,
        ...options,
        now: () => new Date(counted.seconds * 1000),
      });
      return { verifier, counted };
    }

    it('given it is presented again, then its signature is not checked again', async () => {
      const { verifier: counting, counted } = countingVerifier();
      const token = await signToken(key, validClaims(NOW));

      await counting.verify(token);
      counted.seconds += 30;
      await counting.verify(token);

      expect(counted.keyLookups).toBe(1);
    });

    it('given the remembering time is over, then the signature is checked again', async () => {
      const { verifier: counting, counted } = countingVerifier({ verifiedTtlMs: 10_000 });
      const token = await signToken(key, validClaims(NOW));

      await counting.verify(token);
      counted.seconds += 11;
      await counting.verify(token);

      expect(counted.keyLookups).toBe(2);
    });

    it('given it expires while remembered, then it is refused as TOKEN_EXPIRED all the same', async () => {
      const clock = { seconds: NOW + 590 };
      const remembering = new JwtVerifier({ keys: keySet(key), revocation: noneRevoked, now: () => new Date(clock.seconds * 1000) });
      const token = await signToken(key, validClaims(NOW));
      await remembering.verify(token);

      clock.seconds = NOW + 606;

      expect(await rejection(token, remembering)).toMatchObject({ code: 'TOKEN_EXPIRED' });
    });

    it('given its session is revoked while remembered, then it is refused as TOKEN_REVOKED', async () => {
      const revoked = new Set<string>();
      const remembering = new JwtVerifier({ keys: keySet(key), revocation: { isRevoked: async (sid) => revoked.has(sid) }, now: at(NOW) });
      const token = await signToken(key, validClaims(NOW));
      await remembering.verify(token);

      revoked.add('session-1');

      expect(await rejection(token, remembering)).toMatchObject({ code: 'TOKEN_REVOKED' });
    });
  });

  it('given a revocation list that cannot be asked, then the token is refused as unavailable (fail closed)', async () => {
    const broken = new JwtVerifier({ keys: keySet(key), now: at(NOW), revocation: { isRevoked: () => Promise.reject(new Error('redis down')) } });
    expect(await rejection(await signToken(key, validClaims(NOW)), broken)).toMatchObject({ code: 'AUTH_UNAVAILABLE', kind: 'unavailable', retriable: true });
  });

  it('refuses a clock tolerance above 5 s', () => {
    expect(() => new JwtVerifier({ keys: keySet(key), revocation: noneRevoked, clockToleranceSeconds: 60 })).toThrow(RangeError);
  });
});

async function importPublic(testKey: TestKey): Promise<CryptoKey> {
  return (await importJWK(testKey.publicJwk, 'ES256', { extractable: true })) as CryptoKey;
}
