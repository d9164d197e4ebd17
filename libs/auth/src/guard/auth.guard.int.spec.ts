import 'reflect-metadata';
import { Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import passportJwt from 'passport-jwt';
import type { JWTPayload } from 'jose';
import { ErrorFilter, Public, RequirePermissions } from '@crm/http';
import { createLogger } from '@crm/logging';
import { createRedis } from '@crm/redis';
import { testPlatformConfig, uniqueName } from '@crm/testing';
import {
  ACCESS_TOKEN_STRATEGY,
  AUTH_GUARD_OPTIONS,
  AuthGuard,
  CurrentAuth,
  JWT_VERIFIER,
  JwtVerifier,
  RedisRevocationList,
  RequireStepUp,
  type AccessDenied,
  type AccessTokenClaims,
} from '../index.js';
import { generateTestKey, keySet, signToken, validClaims, type TestKey } from '../tokens/token.fixture.js';

const NOW = 1_800_000_000;
const now = () => new Date(NOW * 1000);
const DPO_PERMS = ['contacts:read', 'contacts:export', 'subjects:erase', 'consent:read', 'audit:read', 'register:manage'];

@Controller('fixture')
class FixtureController {
  @Public()
  @Get('public')
  open(): { open: true } {
    return { open: true };
  }

  @RequirePermissions('contacts:read')
  @Get('contacts')
  contacts(@CurrentAuth() auth: AccessTokenClaims): { sub: string; sid: string } {
    return { sub: auth.sub, sid: auth.sid };
  }

  @RequirePermissions()
  @Get('me')
  me(@CurrentAuth() auth: AccessTokenClaims): { sub: string } {
    return { sub: auth.sub };
  }

  @Get('undeclared')
  undeclared(): string {
    return 'must never be served';
  }

  @RequirePermissions('contacts:export')
  @RequireStepUp()
  @Post('export')
  exportContacts(): { exported: true } {
    return { exported: true };
  }
}

@Controller('guarded')
@RequirePermissions('audit:read')
class GuardedController {
  @Public()
  @Get('status')
  status(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @RequirePermissions('register:manage')
  @Get('register')
  register(): { register: true } {
    return { register: true };
  }
}

@Module({ controllers: [FixtureController, GuardedController] })
class FixtureModule {}

const redis = createRedis(testPlatformConfig().redis, 'auth-guard-int-test');
const revocations = new RedisRevocationList(redis);
const denied: AccessDenied[] = [];
let key: TestKey;
let app: INestApplication;
let url: string;
let verifier: JwtVerifier;
let guard: AuthGuard;

beforeAll(async () => {
  key = await generateTestKey();
  app = await NestFactory.create(FixtureModule, { logger: false });
  verifier = new JwtVerifier({ keys: keySet(key), revocation: revocations, now });
  app.useGlobalFilters(new ErrorFilter(createLogger({ service: 'auth-guard-test', level: 'silent' })));
  // Installed the way libs/platform installs its global guard.
  guard = new AuthGuard(app.get(Reflector), verifier, {
    now,
    onDenied: (event) => {
      denied.push(event);
      if (event.reason === 'no_policy') throw new Error('a failing hook must not change the answer');
    },
  });
  app.useGlobalGuards(guard);
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});
afterAll(async () => {
  await app.close();
  await redis.quit();
});
beforeEach(() => {
  denied.length = 0;
});

async function call(
  path: string,
  claims?: JWTPayload,
  method = 'GET',
): Promise<{ status: number; body: Record<string, unknown>; wwwAuthenticate: string | null }> {
  const headers: Record<string, string> = claims === undefined ? {} : { authorization: `Bearer ${await signToken(key, claims)}` };
  const response = await fetch(`${url}${path}`, { method, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, wwwAuthenticate: response.headers.get('www-authenticate') };
}

describe('the authentication guard, over real HTTP', () => {
  it('authenticates with passport: a @nestjs/passport guard over the passport-jwt access-token strategy', () => {
    expect(verifier).toBeInstanceOf(passportJwt.Strategy);
    expect(guard).toBeInstanceOf(PassportAuthGuard(ACCESS_TOKEN_STRATEGY));
  });

  it('given a public route, then it answers without a token', async () => {
    expect(await call('/fixture/public')).toMatchObject({ status: 200, body: { open: true } });
  });

  it('given no token, then 401 UNAUTHENTICATED with a Bearer challenge', async () => {
    expect(await call('/fixture/contacts')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' }, wwwAuthenticate: 'Bearer realm="crm"' });
  });

  it('given a malformed Authorization header or a token in the query string, then 401', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'token abc.def.ghi']) {
      const response = await fetch(`${url}/fixture/contacts`, { headers: { authorization } });
      expect(response.status).toBe(401);
    }
    const token = await signToken(key, validClaims(NOW));
    expect((await fetch(`${url}/fixture/contacts?access_token=${token}`)).status).toBe(401);
  });

  it('given a forged token, then 401 TOKEN_INVALID', async () => {
    const stranger = await generateTestKey();
    const response = await fetch(`${url}/fixture/contacts`, { headers: { authorization: `Bearer ${await signToken(stranger, validClaims(NOW))}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'TOKEN_INVALID', message: 'invalid or expired token' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="crm", error="invalid_token"');
  });

  it('given the required permission, then the handler runs and sees the caller through @CurrentAuth()', async () => {
    expect(await call('/fixture/contacts', validClaims(NOW))).toMatchObject({ status: 200, body: { sub: 'user-1', sid: 'session-1' } });
  });

  it('given a route open to any signed-in user, then any valid token passes', async () => {
    expect(await call('/fixture/me', validClaims(NOW, { roles: [], perms: [] }))).toMatchObject({ status: 200, body: { sub: 'user-1' } });
  });

  it('given a missing permission, then 403 FORBIDDEN, reported to the hook with ids and the route template only', async () => {
    const result = await call('/fixture/contacts', validClaims(NOW, { roles: [], perms: ['consent:read'] }));

    expect(result).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(denied).toEqual([
      { route: 'GET /fixture/contacts', correlationId: expect.any(String), sub: 'user-1', reason: 'missing_permission', permissions: ['contacts:read'] },
    ]);
  });

  it('given a route with neither @Public() nor @RequirePermissions(), then 403 even for an administrator (deny by default)', async () => {
    const administrator = validClaims(NOW, { roles: ['administrator'], perms: ['users:manage', 'roles:manage', 'contacts:read'], amr: ['pwd', 'otp'] });

    const result = await call('/fixture/undeclared', administrator);

    expect(result).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(denied).toMatchObject([{ route: 'GET /fixture/undeclared', reason: 'no_policy', permissions: [] }]);
  });

  it('given a DPO signed in with a password only, then 403 MFA_REQUIRED', async () => {
    const result = await call('/fixture/contacts', validClaims(NOW, { roles: ['dpo'], perms: DPO_PERMS, amr: ['pwd'] }));
    expect(result).toMatchObject({ status: 403, body: { code: 'MFA_REQUIRED' } });
    expect(denied).toMatchObject([{ reason: 'mfa_required' }]);
  });

  it('given a step-up route and a second factor older than 5 minutes, then 403 STEP_UP_REQUIRED', async () => {
    const dpo = validClaims(NOW, { roles: ['dpo'], perms: DPO_PERMS, amr: ['pwd', 'otp'], mfa_at: NOW - 301 });
    expect(await call('/fixture/export', dpo, 'POST')).toMatchObject({ status: 403, body: { code: 'STEP_UP_REQUIRED', details: { maxAgeSeconds: 300 } } });
  });

  it('given a step-up route and a fresh second factor, then the operation is allowed', async () => {
    const dpo = validClaims(NOW, { roles: ['dpo'], perms: DPO_PERMS, amr: ['pwd', 'otp'], mfa_at: NOW - 60 });
    expect(await call('/fixture/export', dpo, 'POST')).toMatchObject({ status: 201, body: { exported: true } });
  });

  it('given a token of a revoked session, then 401 TOKEN_REVOKED', async () => {
    const sid = uniqueName('sid');
    expect((await call('/fixture/contacts', validClaims(NOW, { sid }))).status).toBe(200);
    await revocations.revoke([sid], 605);
    expect(await call('/fixture/contacts', validClaims(NOW, { sid }))).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } });
  });

  it('given controller-level permissions, then a handler adds to them and a handler-level @Public() opens only that route', async () => {
    const dpo = (perms: string[]) => validClaims(NOW, { roles: ['dpo'], perms, amr: ['pwd', 'otp'] });
    expect((await call('/guarded/status')).status).toBe(200);
    expect((await call('/guarded/register', dpo(['register:manage']))).status).toBe(403);
    expect((await call('/guarded/register', dpo(['audit:read']))).status).toBe(403);
    expect((await call('/guarded/register', dpo(['audit:read', 'register:manage']))).status).toBe(200);
  });
});

describe('the authentication guard installed through dependency injection (APP_GUARD)', () => {
  it('resolves its verifier and options from providers and guards every route', async () => {
    @Module({
      controllers: [FixtureController],
      providers: [
        { provide: JWT_VERIFIER, useFactory: () => new JwtVerifier({ keys: keySet(key), revocation: revocations, now }) },
        { provide: AUTH_GUARD_OPTIONS, useValue: { now, stepUpMaxAgeSeconds: 30 } },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    })
    class InjectedModule {}
    const injected = await NestFactory.create(InjectedModule, { logger: false });
    injected.useGlobalFilters(new ErrorFilter(createLogger({ service: 'auth-guard-test', level: 'silent' })));
    await injected.listen(0, '127.0.0.1');
    const base = await injected.getUrl();
    try {
      const dpo = validClaims(NOW, { roles: ['dpo'], perms: DPO_PERMS, amr: ['pwd', 'otp'], mfa_at: NOW - 60 });
      const bearer = { authorization: `Bearer ${await signToken(key, dpo)}` };
      expect((await fetch(`${base}/fixture/public`)).status).toBe(200);
      expect((await fetch(`${base}/fixture/contacts`)).status).toBe(401);
      expect((await fetch(`${base}/fixture/contacts`, { headers: bearer })).status).toBe(200);
      // The injected 30 s window applies: a second factor 60 s ago is too old here.
      expect(await (await fetch(`${base}/fixture/export`, { method: 'POST', headers: bearer })).json()).toMatchObject({ code: 'STEP_UP_REQUIRED' });
    } finally {
      await injected.close();
    }
  });
});
