// The JWKS endpoint inside an application built the way the platform builds services (global deny-by-default guard,
// real Postgres and Redis), fetched over HTTP by a verifier exactly as the gateway does.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { JwtVerifier, RedisRevocationList } from '@crm/auth';
import { createLogger } from '@crm/logging';
import { createServiceApp, type ServiceDefinition } from '@crm/platform';
import { createRedis } from '@crm/redis';
import { routePolicies, scratchSchema, testPlatformConfig } from '@crm/testing';
import { AccessTokenIssuer } from '../access-tokens/access-token.issuer.js';
import { RefreshTokenStore } from '../refresh-tokens/refresh-token.store.js';
import { SigningKeyStore } from '../signing-keys/signing-key.store.js';
import { loadTokensConfig } from '../tokens.config.js';
import { TokensModule } from '../tokens.module.js';
import { refreshTokenMigrations } from '../refresh-tokens/refresh-token.schema.js';

let app: INestApplication;
let url: string;
let dropSchema: () => Promise<void>;
const redis = createRedis(testPlatformConfig().redis, 'identity-jwks-int-test');

beforeAll(async () => {
  const scratch = await scratchSchema('it_tokens_module', refreshTokenMigrations);
  dropSchema = scratch.drop;
  const stateDir = await mkdtemp(join(tmpdir(), 'crm-identity-state-'));
  const config = testPlatformConfig('identity');
  const tokens = loadTokensConfig({ stateDir }, {}, { schema: scratch.schema });
  const definition: ServiceDefinition = {
    service: 'identity',
    defaultPort: 0,
    needs: { postgres: true, redis: true },
    module: () => TokensModule.register(tokens),
  };
  app = await createServiceApp(definition, config, createLogger({ service: 'identity', level: 'silent' }));
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});
afterAll(async () => {
  await app.close();
  await dropSchema();
  await redis.quit();
});

describe('GET /.well-known/jwks.json', () => {
  it('is public, cacheable for five minutes, and holds the public signing key only', async () => {
    const response = await fetch(`${url}/.well-known/jwks.json`);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: (await app.get(SigningKeyStore).current()).kid, alg: 'ES256', use: 'sig' },
    ]);
    expect(routePolicies(app)).toContainEqual({ route: 'GET /.well-known/jwks.json', policy: 'public' });
  });

  it('lets a remote verifier (the gateway) accept tokens of the current key and, after a rotation, of both keys', async () => {
    const issuer = app.get(AccessTokenIssuer);
    const verifier = new JwtVerifier({ keys: new URL(`${url}/.well-known/jwks.json`), revocation: new RedisRevocationList(redis), remote: { cooldownMs: 0 } });
    const claims = { userId: 'user-1', roles: ['analyst'], permissions: ['contacts:read' as const], amr: ['pwd' as const], sessionId: 'session-1' };
    const before = await issuer.issue(claims);
    await expect(verifier.verify(before)).resolves.toMatchObject({ sub: 'user-1', perms: ['contacts:read'] });

    await app.get(SigningKeyStore).rotate();
    const after = await issuer.issue(claims);

    await expect(verifier.verify(after)).resolves.toMatchObject({ sub: 'user-1' });
    await expect(verifier.verify(before)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('created the refresh-token table at boot', async () => {
    await expect(app.get(RefreshTokenStore).startSession('user-1', { amr: ['pwd'] })).resolves.toMatchObject({ sessionId: expect.any(String) });
  });
});
