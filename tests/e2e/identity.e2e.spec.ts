// Identity through the gateway, as a frontend and an authenticator app would use it (issue: identity, 2FA and
// least-privilege access). The platform is the one `npm test` started; the bootstrap administrator comes from
// <state>/secrets/admin.password like `npm start` prints.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { fromBinary, PermissionDeniedSchema, SessionRevocationReason, SessionRevokedSchema } from '@crm/contracts';
import { KafkaCluster } from '@crm/messaging';
import { envelopeIn, testPlatformConfig, uniqueName } from '@crm/testing';
import {
  adminSession,
  api,
  bootstrapPasswordFile,
  expectEventually,
  gateway,
  firstPasswordChange,
  grantingAdminToken,
  secondFactor,
  signIn,
  signInAgain,
  stateDir,
  stepUpSeconds,
  strongPassword,
  testStateDir,
} from '@crm/testing';

/** The tests read the trail's source topics as Kafka's admin principal. */
const primaryKafka = testPlatformConfig().kafka;

let admin: { accessToken: string; refreshToken: string };
let redis: Redis;

beforeAll(async () => {
  // Earlier runs on this machine may have spent the per-address login budget (every test signs in from 127.0.0.1).
  redis = new Redis({
    host: '127.0.0.1',
    port: Number(process.env.CRM_REDIS_PORT ?? 56379),
    password: readFileSync(join(stateDir, 'secrets', 'redis.password'), 'utf8').trim(),
  });
  const keys = await redis.keys('crm:identity:login-failures:*');
  if (keys.length > 0) await redis.del(...keys);
  admin = await adminSession();
});
afterAll(() => redis.quit());

/**
 * A custom role that sees no personal data (the register of processing activities only), so its holders sign in with
 * a password alone: since issue 15 every built-in role must enrol a second factor first.
 */
let passwordOnlyRoleName: string | undefined;
async function passwordOnlyRole(): Promise<string> {
  if (passwordOnlyRoleName !== undefined) return passwordOnlyRoleName;
  const name = `clerk-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('POST', '/v1/roles', { name, permissions: ['register:manage'] }, admin.accessToken)).status).toBe(201);
  passwordOnlyRoleName = name;
  return name;
}

describe('two-factor sign-in', () => {
  let dpo: { email: string; password: string; secret: string; recoveryCodes: string[]; lastCode: string };

  beforeAll(async () => {
    const email = `dpo-${uniqueName('d')}@example.com`;
    let password = strongPassword();
    expect((await api('POST', '/v1/users', { email, displayName: 'Data Protection', password, roles: ['dpo'] }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);
    const session = await signIn(email, password, { step: 1 });
    dpo = { email, password, secret: session.secret!, recoveryCodes: session.recoveryCodes!, lastCode: session.lastCode! };
  });

  it('a role that can read audit trails must enrol TOTP at first sign-in; then a TOTP code, a recovery code and the sign-in challenge each work once', async () => {
    expect(dpo.recoveryCodes).toHaveLength(10);
    const login = await api('POST', '/v1/auth/login', { email: dpo.email, password: dpo.password });
    expect(login.body).toMatchObject({ mfaRequired: true });

    // The very code signIn() just used: refused the second time.
    const replayed = await api('POST', '/v1/auth/mfa', { mfaToken: login.body.mfaToken, code: dpo.lastCode });
    expect(replayed).toMatchObject({ status: 401, body: { code: 'MFA_CODE_REPLAYED' } });

    const recovered = await secondFactor(login.body.mfaToken as string, dpo.recoveryCodes[0]!);
    expect(recovered.accessToken).toEqual(expect.any(String));
    // The sign-in's challenge is spent: not even a valid, unused recovery code gets a second session out of it.
    const again = await api('POST', '/v1/auth/mfa', { mfaToken: login.body.mfaToken, code: dpo.recoveryCodes[2] });
    expect(again).toMatchObject({ status: 401, body: { code: 'CHALLENGE_INVALID' } });
    // A recovery code works once: with a fresh sign-in's challenge, the spent one is refused.
    const fresh = await api('POST', '/v1/auth/login', { email: dpo.email, password: dpo.password });
    const reused = await api('POST', '/v1/auth/mfa', { mfaToken: fresh.body.mfaToken, code: dpo.recoveryCodes[0] });
    expect(reused).toMatchObject({ status: 401, body: { code: 'MFA_CODE_INVALID' } });
  });

  it('rotates refresh tokens, and a reused refresh token ends the whole session', async () => {
    const login = await api('POST', '/v1/auth/login', { email: dpo.email, password: dpo.password });
    const session = await secondFactor(login.body.mfaToken as string, dpo.recoveryCodes[1]!);
    const rotated = await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(session.refreshToken);
    expect((await api('POST', '/v1/auth/logout', undefined, 'not-a-token')).status).toBe(401);

    const reuse = await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(reuse).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_REUSED' } });
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: rotated.body.refreshToken })).status).toBe(401);
    expect(await api('POST', '/v1/auth/logout', undefined, rotated.body.accessToken as string)).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } });

    // The audit trail learns why the session ended.
    const sessionId = (JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const kafka = new KafkaCluster({
      name: 'primary',
      brokers: primaryKafka.primaryBrokers,
      sasl: primaryKafka.sasl,
      clientId: 'e2e-sessions',
    });
    try {
      const revokedEvent = (messages: ReadonlyArray<{ value: Buffer }>) =>
        messages
          .map((m) => envelopeIn(m.value))
          .filter((e) => e !== undefined)
          .filter((e) => e.eventType === 'crm.identity.v1.SessionRevoked')
          .map((e) => fromBinary(SessionRevokedSchema, e.payload))
          .find((event) => event.sessionId === sessionId);
      const seen = await kafka.readFromStart('crm.identity.v1.events', (messages) => revokedEvent(messages.slice(-1)) !== undefined, {
        groupId: uniqueName('e2e-sessions'),
        timeoutMs: 30_000,
      });
      expect(revokedEvent(seen)).toMatchObject({ reason: SessionRevocationReason.REUSE_DETECTED });
    } finally {
      await kafka.close();
    }
  });

  it('logs out: the access token and the refresh token of that session stop working', async () => {
    const login = await api('POST', '/v1/auth/login', { email: dpo.email, password: dpo.password });
    const session = await secondFactor(login.body.mfaToken as string, dpo.recoveryCodes[2]!);
    expect((await api('POST', '/v1/auth/logout', undefined, session.accessToken)).status).toBe(204);
    expect(await api('POST', '/v1/auth/logout', undefined, session.accessToken)).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } });
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
  });
});

describe('the first sign-in changes a password someone else chose (issue 15, item 7)', () => {
  it('an account an administrator created: sign-in gives only a password-change token until the holder has changed the password given', async () => {
    const email = `first-${uniqueName('f')}@example.com`;
    const given = strongPassword();
    const created = await api('POST', '/v1/users', { email, displayName: 'First Sign-in', password: given, roles: ['sales'] }, await grantingAdminToken());
    expect(created.status).toBe(201);

    const login = await api('POST', '/v1/auth/login', { email, password: given });
    expect(login).toMatchObject({ status: 200, body: { passwordChangeRequired: true, passwordChangeToken: expect.any(String) } });
    expect(Object.keys(login.body).sort()).toEqual(['passwordChangeRequired', 'passwordChangeToken']);
    const passwordChangeToken = login.body.passwordChangeToken as string;
    // No access token: the challenge token opens nothing but the change, and no other sign-in step either.
    expect((await api('GET', '/v1/me', undefined, passwordChangeToken)).status).toBe(401);
    expect((await api('GET', '/v1/me/sessions', undefined, passwordChangeToken)).status).toBe(401);
    expect((await api('POST', '/v1/me/mfa/totp', { enrollmentToken: passwordChangeToken })).status).toBe(401);
    expect((await api('POST', '/v1/auth/mfa', { mfaToken: passwordChangeToken, code: '123456' })).status).toBe(401);

    expect(await api('POST', '/v1/me/password', { currentPassword: 'Not-the-one1!', newPassword: strongPassword(), passwordChangeToken })).toMatchObject({
      status: 400,
      body: { code: 'PASSWORD_CURRENT_INVALID' },
    });
    expect(await api('POST', '/v1/me/password', { currentPassword: given, newPassword: given, passwordChangeToken })).toMatchObject({
      status: 400,
      body: { code: 'PASSWORD_POLICY_VIOLATED' },
    });
    expect(await api('POST', '/v1/me/password', { currentPassword: given, newPassword: 'weak', passwordChangeToken })).toMatchObject({
      status: 400,
      body: { code: 'PASSWORD_POLICY_VIOLATED' },
    });
    expect(await api('POST', '/v1/auth/login', { email, password: given })).toMatchObject({ status: 200, body: { passwordChangeRequired: true } });

    const own = strongPassword();
    expect((await api('POST', '/v1/me/password', { currentPassword: given, newPassword: own, passwordChangeToken })).status).toBe(204);
    // The token is spent, the password given opens nothing, the holder's own leads on to the second factor.
    expect(await api('POST', '/v1/me/password', { currentPassword: own, newPassword: strongPassword(), passwordChangeToken })).toMatchObject({
      status: 401,
      body: { code: 'CHALLENGE_INVALID' },
    });
    expect((await api('POST', '/v1/auth/login', { email, password: given })).status).toBe(401);
    expect((await api('POST', '/v1/auth/login', { email, password: own })).body).toMatchObject({ mfaEnrollmentRequired: true });
    // The change is on the audit trail: the account's events, as an administrator reads them.
    await expectEventually(
      async () => {
        const trail = await api('GET', `/v1/audit/entries?subjectId=${created.body.id as string}&limit=100`, undefined, await grantingAdminToken());
        expect((trail.body.entries as Array<{ action: string }>).map((entry) => entry.action)).toContain('crm.identity.v1.PasswordChanged');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  it("the bootstrap administrator's generated password was changed at the first sign-in, and its file is gone", async () => {
    // adminSession() (beforeAll) signed in: on a new platform that was the first sign-in, which changed the password.
    expect(existsSync(bootstrapPasswordFile)).toBe(false);
    expect(existsSync(join(testStateDir, 'admin.password'))).toBe(true);
    expect((await api('GET', '/v1/me', undefined, admin.accessToken)).body).toMatchObject({ roles: ['administrator'] });
  });
});

describe('passwords and second-factor resets', () => {
  it('a user changes their password: every session ends, the new password works and the old one does not', async () => {
    const email = `pw-${uniqueName('p')}@example.com`;
    let password = strongPassword();
    const roles = [await passwordOnlyRole()];
    expect((await api('POST', '/v1/users', { email, displayName: 'Change Password', password, roles }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);
    const session = (await api('POST', '/v1/auth/login', { email, password })).body as { accessToken: string };
    expect(session.accessToken).toEqual(expect.any(String));

    const wrongCurrent = await api('POST', '/v1/me/password', { currentPassword: 'Not-the-one1!', newPassword: strongPassword() }, session.accessToken);
    expect(wrongCurrent).toMatchObject({ status: 400, body: { code: 'PASSWORD_CURRENT_INVALID' } });
    const weak = await api('POST', '/v1/me/password', { currentPassword: password, newPassword: 'weak' }, session.accessToken);
    expect(weak).toMatchObject({ status: 400, body: { code: 'PASSWORD_POLICY_VIOLATED' } });

    const next = strongPassword();
    expect((await api('POST', '/v1/me/password', { currentPassword: password, newPassword: next }, session.accessToken)).status).toBe(204);
    expect(await api('POST', '/v1/auth/logout', undefined, session.accessToken)).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } });
    expect((await api('POST', '/v1/auth/login', { email, password })).status).toBe(401);
    expect((await api('POST', '/v1/auth/login', { email, password: next })).status).toBe(200);
  });

  it('every built-in role that sees personal data must enrol a second factor at first sign-in; a role that sees none need not', async () => {
    for (const role of ['sales', 'support', 'analyst']) {
      const email = `${role}-${uniqueName('f')}@example.com`;
      let password = strongPassword();
      expect((await api('POST', '/v1/users', { email, displayName: 'First Day', password, roles: [role] }, await grantingAdminToken())).status).toBe(201);
      password = await firstPasswordChange(email, password);
      const login = await api('POST', '/v1/auth/login', { email, password });
      expect([role, login.status, Object.keys(login.body).sort()]).toEqual([role, 200, ['enrollmentToken', 'mfaEnrollmentRequired']]);
    }
    const listed = (await api('GET', '/v1/roles', undefined, admin.accessToken)).body as unknown as Array<{ name: string; mfaRequired: boolean }>;
    expect(listed.filter((r) => ['administrator', 'sales', 'support', 'analyst', 'dpo'].includes(r.name)).every((r) => r.mfaRequired)).toBe(true);
    const email = `clerk-${uniqueName('f')}@example.com`;
    let password = strongPassword();
    expect(
      (await api('POST', '/v1/users', { email, displayName: 'Clerk', password, roles: [await passwordOnlyRole()] }, await grantingAdminToken())).status,
    ).toBe(201);
    password = await firstPasswordChange(email, password);
    expect((await api('POST', '/v1/auth/login', { email, password })).body).toMatchObject({ accessToken: expect.any(String) });
  });

  it('a custom role marked mfaRequired must enrol a second factor although none of its permissions demands it', async () => {
    const role = `careful-${Math.random().toString(36).slice(2, 8)}`;
    const created = await api('POST', '/v1/roles', { name: role, permissions: ['register:manage'], mfaRequired: true }, admin.accessToken);
    expect(created.body).toMatchObject({ name: role, mfaRequired: true });
    const email = `careful-${uniqueName('c')}@example.com`;
    let password = strongPassword();
    expect((await api('POST', '/v1/users', { email, displayName: 'Careful User', password, roles: [role] }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);
    expect((await api('POST', '/v1/auth/login', { email, password })).body).toMatchObject({ mfaEnrollmentRequired: true });
    expect(
      ((await api('GET', '/v1/roles', undefined, admin.accessToken)).body as unknown as Array<{ name: string; mfaRequired: boolean }>).find(
        (r) => r.name === role,
      ),
    ).toMatchObject({
      mfaRequired: true,
    });
  });

  it('an administrator with a fresh second factor resets a user’s TOTP: the user must enrol again; users:manage alone resets neither its own nor that of a richer account', async () => {
    const role = `mfa-admin-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('POST', '/v1/roles', { name: role, permissions: ['users:manage'] }, admin.accessToken)).status).toBe(201);
    const resetterEmail = `resetter-${uniqueName('r')}@example.com`;
    const resetterPassword = strongPassword();
    const resetterAccount = await api(
      'POST',
      '/v1/users',
      { email: resetterEmail, displayName: 'Resetter', password: resetterPassword, roles: [role] },
      await grantingAdminToken(),
    );
    expect(resetterAccount.status).toBe(201);
    const resetter = await signIn(resetterEmail, await firstPasswordChange(resetterEmail, resetterPassword), { step: 1 });

    const email = `reset-${uniqueName('r')}@example.com`;
    let password = strongPassword();
    const created = await api('POST', '/v1/users', { email, displayName: 'Reset Me', password, roles: ['dpo'] }, await grantingAdminToken());
    expect(created.status).toBe(201);
    password = await firstPasswordChange(email, password);
    await signIn(email, password, { step: 1 });
    expect((await api('POST', '/v1/auth/login', { email, password })).body).toMatchObject({ mfaRequired: true });

    // users:manage plus a second-factor reset would take over the DPO with a phished password: refused, nothing changes.
    expect(await api('DELETE', `/v1/users/${created.body.id as string}/mfa`, undefined, resetter.accessToken)).toMatchObject({
      status: 403,
      body: { code: 'MFA_RESET_EXCEEDS_PERMISSIONS', details: { permissions: expect.arrayContaining(['contacts:export']) } },
    });
    expect(await api('DELETE', `/v1/users/${resetterAccount.body.id as string}/mfa`, undefined, resetter.accessToken)).toMatchObject({
      status: 403,
      body: { code: 'MFA_SELF_RESET' },
    });
    expect((await api('POST', '/v1/auth/login', { email, password })).body).toMatchObject({ mfaRequired: true });

    expect((await api('DELETE', `/v1/users/${created.body.id as string}/mfa`, undefined, await grantingAdminToken())).status).toBe(204);
    expect((await api('POST', '/v1/auth/login', { email, password })).body).toMatchObject({ mfaEnrollmentRequired: true });
  });
});

describe('staff accounts', () => {
  it('refuses each password rule with its own code', async () => {
    const attempts: Array<[string, string]> = [
      ['Sh0rt!', 'PASSWORD_TOO_SHORT'],
      ['alllowercase1!', 'PASSWORD_NEEDS_UPPERCASE'],
      ['ALLUPPERCASE1!', 'PASSWORD_NEEDS_LOWERCASE'],
      ['NoDigitsHere!!', 'PASSWORD_NEEDS_DIGIT'],
      ['NoSpecials123', 'PASSWORD_NEEDS_SPECIAL'],
      ['Margarethe1984!', 'PASSWORD_CONTAINS_NAME'],
      ['Xq!7mlovelace', 'PASSWORD_CONTAINS_EMAIL'],
      ['Xq!7a19840315', 'PASSWORD_CONTAINS_BIRTH_DATE'],
      ['Password1!', 'PASSWORD_TOO_COMMON'],
      [`Aa1!${'x'.repeat(200)}`, 'PASSWORD_TOO_LONG'],
    ];
    for (const [password, code] of attempts) {
      const answer = await api(
        'POST',
        '/v1/users',
        { email: `m.lovelace+${uniqueName('x')}@example.com`, displayName: 'Margarethe Lovelace', password, roles: ['sales'], birthDate: '1984-03-15' },
        await grantingAdminToken(),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'PASSWORD_POLICY_VIOLATED' });
      expect((answer.body.details as { violations: string[] }).violations).toContain(code);
      expect(JSON.stringify(answer.body)).not.toContain(password);
    }
  });

  it('guessing the current password on /v1/me/password locks the account as sign-ins do: a stolen session is no password oracle', async () => {
    const email = `guess-${uniqueName('g')}@example.com`;
    let password = strongPassword();
    const roles = [await passwordOnlyRole()];
    expect((await api('POST', '/v1/users', { email, displayName: 'Guess Test', password, roles }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);
    const session = (await api('POST', '/v1/auth/login', { email, password })).body as { accessToken: string };
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const guess = await api('POST', '/v1/me/password', { currentPassword: `Guess-${attempt}-x1!`, newPassword: strongPassword() }, session.accessToken);
        expect(guess).toMatchObject({ status: 400, body: { code: 'PASSWORD_CURRENT_INVALID' } });
      }

      const right = await api('POST', '/v1/me/password', { currentPassword: password, newPassword: strongPassword() }, session.accessToken);
      expect(right).toMatchObject({ status: 429, body: { code: 'LOGIN_LOCKED' } });
      expect(await api('POST', '/v1/auth/login', { email, password })).toMatchObject({ status: 429, body: { code: 'LOGIN_LOCKED' } });
    } finally {
      // The guesses came from 127.0.0.1, whose sign-in budget the rest of the suite shares.
      const keys = await redis.keys('crm:identity:login-failures:*');
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  it('enrolling an authenticator with an access token alone needs the current password', async () => {
    const email = `enrol-${uniqueName('e')}@example.com`;
    let password = strongPassword();
    const roles = [await passwordOnlyRole()];
    expect((await api('POST', '/v1/users', { email, displayName: 'Enrol Test', password, roles }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);
    const session = (await api('POST', '/v1/auth/login', { email, password })).body as { accessToken: string };

    expect(await api('POST', '/v1/me/mfa/totp', {}, session.accessToken)).toMatchObject({ status: 400, body: { code: 'PASSWORD_CONFIRMATION_REQUIRED' } });
    expect(await api('POST', '/v1/me/mfa/totp', { currentPassword: 'Not-the-one1!' }, session.accessToken)).toMatchObject({
      status: 400,
      body: { code: 'PASSWORD_CURRENT_INVALID' },
    });
    const started = await api('POST', '/v1/me/mfa/totp', { currentPassword: password }, session.accessToken);
    expect(started.status).toBe(200);
    expect(started.body.otpauthUrl).toEqual(expect.stringMatching(/^otpauth:\/\/totp\//));
  });

  it('locks an account after repeated failures, with the same answer as for an unknown account until then', async () => {
    const email = `lock-${uniqueName('u')}@example.com`;
    let password = strongPassword();
    expect((await api('POST', '/v1/users', { email, displayName: 'Lock Test', password, roles: ['sales'] }, await grantingAdminToken())).status).toBe(201);
    password = await firstPasswordChange(email, password);

    const unknown = await api('POST', '/v1/auth/login', { email: `nobody-${uniqueName('n')}@example.com`, password: 'Wrong-pass1!' });
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await api('POST', '/v1/auth/login', { email, password: 'Wrong-pass1!' });
      expect(wrong.status).toBe(401);
      expect({ ...wrong.body, correlationId: undefined }).toEqual({ ...unknown.body, correlationId: undefined });
    }
    const locked = await api('POST', '/v1/auth/login', { email, password });
    expect(locked).toMatchObject({ status: 429, body: { code: 'LOGIN_LOCKED' } });
  });
});

describe('least privilege: every identity route × every role', () => {
  const routes: Array<{ method: string; path: (ids: { user: string }) => string; body?: () => unknown; needs: string[] }> = [
    { method: 'GET', path: () => '/v1/users', needs: ['users:manage'] },
    {
      method: 'POST',
      path: () => '/v1/users',
      body: () => ({ email: `m-${uniqueName('u')}@example.com`, displayName: 'Matrix User', password: strongPassword(), roles: ['analyst'] }),
      // Creating an account grants roles: a custom role holding users:manage alone cannot make administrators.
      needs: ['users:manage', 'roles:manage'],
    },
    { method: 'PUT', path: ({ user }) => `/v1/users/${user}/roles`, body: () => ({ roles: ['analyst'] }), needs: ['roles:manage'] },
    { method: 'GET', path: () => '/v1/roles', needs: ['roles:manage'] },
    {
      method: 'POST',
      path: () => '/v1/roles',
      body: () => ({ name: `r-${Math.random().toString(36).slice(2, 10)}`, permissions: ['contacts:read'] }),
      needs: ['roles:manage'],
    },
    { method: 'GET', path: () => '/v1/permissions', needs: ['roles:manage'] },
  ];
  const roles: Record<string, string[]> = {
    administrator: ['users:manage', 'roles:manage'],
    dpo: [],
    sales: [],
    support: [],
    analyst: [],
  };
  const tokens: Record<string, string> = {};
  let target: string;

  beforeAll(async () => {
    const custom = `user-admin-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('POST', '/v1/roles', { name: custom, permissions: ['users:manage'] }, admin.accessToken)).status).toBe(201);
    roles[custom] = ['users:manage'];
    for (const role of Object.keys(roles)) {
      if (role === 'administrator') {
        tokens[role] = admin.accessToken;
        continue;
      }
      const email = `${role}-${uniqueName('m')}@example.com`;
      let password = strongPassword();
      const created = await api('POST', '/v1/users', { email, displayName: `Matrix ${role}`, password, roles: [role] }, await grantingAdminToken());
      expect(created.status).toBe(201);
      password = await firstPasswordChange(email, password);
      tokens[role] = (await signIn(email, password, { step: 0 })).accessToken;
    }
    target = (
      (
        await api(
          'POST',
          '/v1/users',
          { email: `t-${uniqueName('t')}@example.com`, displayName: 'Target User', password: strongPassword(), roles: ['sales'] },
          await grantingAdminToken(),
        )
      ).body as { id: string }
    ).id;
  });

  it('answers 403 for every role lacking the route’s permission and works for every role holding it', async () => {
    // The grants (creating an account, assigning roles) need a fresh second factor as well as the permissions.
    tokens.administrator = await grantingAdminToken();
    const outcomes: string[] = [];
    for (const route of routes) {
      for (const [role, held] of Object.entries(roles)) {
        const allowed = route.needs.every((permission) => held.includes(permission));
        const answer = await api(route.method, route.path({ user: target }), route.body?.(), tokens[role]);
        const ok = allowed ? answer.status >= 200 && answer.status < 300 : answer.status === 403 && answer.body.code === 'FORBIDDEN';
        if (!ok) outcomes.push(`${role} ${route.method} ${route.path({ user: ':id' })} → ${answer.status} ${String(answer.body.code)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('records each refusal as a PermissionDenied event for the audit trail, without personal data', async () => {
    const correlation = `e2e-${uniqueName('deny')}`;
    const refused = await fetch(`${gateway}/v1/users`, { headers: { authorization: `Bearer ${tokens.sales}`, 'x-correlation-id': correlation } });
    expect(refused.status).toBe(403);
    const kafka = new KafkaCluster({
      name: 'primary',
      brokers: primaryKafka.primaryBrokers,
      sasl: primaryKafka.sasl,
      clientId: 'e2e-denials',
    });
    try {
      // Only the newest message is looked at each time: the topic holds every read of the platform.
      const seen = await kafka.readFromStart('crm.access.v1.gateway', (messages) => envelopeIn(messages.at(-1)!.value)?.correlationId === correlation, {
        groupId: uniqueName('e2e-denials'),
        timeoutMs: 30_000,
      });
      const envelope = envelopeIn(seen.find((m) => envelopeIn(m.value)?.correlationId === correlation)!.value)!;
      const denial = fromBinary(PermissionDeniedSchema, envelope.payload);
      expect(denial).toMatchObject({ route: 'GET /v1/users', requiredPermissions: ['users:manage'] });
      expect(envelope).toMatchObject({ eventType: 'crm.identity.v1.PermissionDenied', subjectId: denial.userId, purpose: 'access-control' });
    } finally {
      await kafka.close();
    }
  });

  it('an analyst reads their own account through /v1/me but cannot reach another account by changing an id', async () => {
    const me = await api('GET', '/v1/me', undefined, tokens.analyst);
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual(['analyst']);
    expect(await api('GET', `/v1/users/${target}`, undefined, tokens.analyst)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await api('GET', `/v1/users/${me.body.id as string}`, undefined, tokens.analyst)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect((await api('GET', `/v1/users/${target}`, undefined, admin.accessToken)).body).toMatchObject({ id: target });
  });

  it('refuses every route without a token, and a role without the permission cannot change another user by id', async () => {
    for (const route of routes) expect((await api(route.method, route.path({ user: target }), route.body?.())).status).toBe(401);
    expect(await api('PUT', `/v1/users/${target}/roles`, { roles: ['administrator'] }, tokens.analyst)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
  });

  it('refuses anyone, the administrator included, changing their own roles (ROLE_SELF_GRANT), and stores nothing', async () => {
    const me = await api('GET', '/v1/me', undefined, admin.accessToken);
    const self = me.body.id as string;

    expect(await api('PUT', `/v1/users/${self}/roles`, { roles: ['analyst'] }, await grantingAdminToken())).toMatchObject({
      status: 403,
      body: { code: 'ROLE_SELF_GRANT' },
    });
    expect((await api('GET', '/v1/me', undefined, admin.accessToken)).body.roles).toEqual(me.body.roles);
  });
});

describe('forged and stale tokens at the gateway', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('answers 401 to alg none, a tampered payload, an HS256 token signed with the public key, and a wrong audience', async () => {
    const [header, payload, signature] = admin.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const { createHmac } = await import('node:crypto');
    const jwks = (await api('GET', '/.well-known/jwks.json')).body as { keys: Array<Record<string, unknown>> };
    const hsHeader = b64({ alg: 'HS256', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    const hsSigned = `${hsHeader}.${payload}`;
    const forged = [
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      `${header}.${b64({ ...claims, perms: ['audit:read'] })}.${signature}`,
      `${hsSigned}.${createHmac('sha256', JSON.stringify(jwks.keys[0])).update(hsSigned).digest('base64url')}`,
      `${header}.${b64({ ...claims, aud: 'someone-else' })}.${signature}`,
    ];
    for (const token of forged) expect((await api('GET', '/v1/users', undefined, token)).status).toBe(401);
  });
});

const sidOf = (accessToken: string): string => (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

describe('sessions: a user lists and ends their own, an administrator ends anyone’s (issue 15, item 7)', () => {
  async function passwordOnlyUser(): Promise<{ id: string; email: string; password: string }> {
    const email = `sessions-${uniqueName('s')}@example.com`;
    let password = strongPassword();
    const created = await api(
      'POST',
      '/v1/users',
      { email, displayName: 'Session Holder', password, roles: [await passwordOnlyRole()] },
      await grantingAdminToken(),
    );
    expect(created.status).toBe(201);
    password = await firstPasswordChange(email, password);
    return { id: created.body.id as string, email, password };
  }
  const login = async (user: { email: string; password: string }) =>
    (await api('POST', '/v1/auth/login', { email: user.email, password: user.password })).body as { accessToken: string; refreshToken: string };

  it('lists the live sessions with the current one marked, ends another of them (its refresh token stops), and cannot end someone else’s', async () => {
    const user = await passwordOnlyUser();
    const first = await login(user);
    const second = await login(user);

    const listed = await api('GET', '/v1/me/sessions', undefined, first.accessToken);
    expect(listed.status).toBe(200);
    const sessions = listed.body as unknown as Array<{ id: string; current: boolean; methods: string[] }>;
    expect(sessions.map((session) => session.id).sort()).toEqual([sidOf(first.accessToken), sidOf(second.accessToken)].sort());
    expect(sessions.find((session) => session.current)?.id).toBe(sidOf(first.accessToken));
    expect(sessions[0]!.methods).toEqual(['pwd']);

    expect((await api('DELETE', `/v1/me/sessions/${sidOf(second.accessToken)}`, undefined, first.accessToken)).status).toBe(204);
    expect(await api('POST', '/v1/auth/refresh', { refreshToken: second.refreshToken })).toMatchObject({ status: 401 });
    expect((await api('GET', '/v1/me', undefined, second.accessToken)).status).toBe(401);
    const refreshed = await api('POST', '/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    const remaining = (await api('GET', '/v1/me/sessions', undefined, refreshed.body.accessToken as string)).body as unknown as Array<{ id: string }>;
    expect(remaining.map((session) => session.id)).toEqual([sidOf(first.accessToken)]);

    // Another user naming this session: as unknown as any other id, and the session goes on.
    const other = await login(await passwordOnlyUser());
    expect(await api('DELETE', `/v1/me/sessions/${sidOf(first.accessToken)}`, undefined, other.accessToken)).toMatchObject({
      status: 404,
      body: { code: 'SESSION_NOT_FOUND' },
    });
    expect((await api('GET', '/v1/me', undefined, refreshed.body.accessToken as string)).status).toBe(200);
  });

  it('an administrator with a fresh second factor ends every session of an account; a holder of no users:manage cannot', async () => {
    const user = await passwordOnlyUser();
    const first = await login(user);
    const second = await login(user);
    const bystander = await login(await passwordOnlyUser());

    expect(await api('DELETE', `/v1/users/${user.id}/sessions`, undefined, bystander.accessToken)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await api('DELETE', `/v1/users/${user.id}/sessions`, undefined, await grantingAdminToken())).toMatchObject({ status: 200, body: { ended: 2 } });

    for (const session of [first, second]) {
      expect((await api('GET', '/v1/me', undefined, session.accessToken)).status).toBe(401);
      expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    }
    // Ending sessions is not locking out: the user signs in again.
    expect((await login(user)).accessToken).toEqual(expect.any(String));
  });
});

describe('disabling and enabling staff accounts (issue 15, item 7)', () => {
  it('a disabled account loses every session and cannot sign in or refresh (the answer of a wrong password); enabled again, it signs in', async () => {
    const email = `leaver-${uniqueName('l')}@example.com`;
    let password = strongPassword();
    const created = await api('POST', '/v1/users', { email, displayName: 'Leaver', password, roles: [await passwordOnlyRole()] }, await grantingAdminToken());
    expect(created.status).toBe(201);
    password = await firstPasswordChange(email, password);
    const id = created.body.id as string;
    const session = (await api('POST', '/v1/auth/login', { email, password })).body as { accessToken: string; refreshToken: string };

    const disabled = await api('POST', `/v1/users/${id}/disable`, undefined, await grantingAdminToken());

    expect(disabled).toMatchObject({ status: 200, body: { id, disabled: true } });
    expect((await api('GET', '/v1/me', undefined, session.accessToken)).status).toBe(401);
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect(await api('POST', '/v1/auth/login', { email, password })).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });

    expect(await api('POST', `/v1/users/${id}/enable`, undefined, await grantingAdminToken())).toMatchObject({ status: 200, body: { disabled: false } });
    const again = await api('POST', '/v1/auth/login', { email, password });
    expect(again.status).toBe(200);
    expect((await api('GET', '/v1/me', undefined, again.body.accessToken as string)).status).toBe(200);
  });

  it('nobody disables their own account (ACCOUNT_SELF_DISABLE), and a holder of no users:manage disables no one', async () => {
    const me = (await api('GET', '/v1/me', undefined, admin.accessToken)).body.id as string;
    expect(await api('POST', `/v1/users/${me}/disable`, undefined, await grantingAdminToken())).toMatchObject({
      status: 403,
      body: { code: 'ACCOUNT_SELF_DISABLE' },
    });
    const clerkEmail = `c-${uniqueName('c')}@example.com`;
    const clerkPassword = strongPassword();
    const clerk = await api(
      'POST',
      '/v1/users',
      { email: clerkEmail, displayName: 'Clerk', password: clerkPassword, roles: [await passwordOnlyRole()] },
      await grantingAdminToken(),
    );
    expect(clerk.status).toBe(201);
    const clerkToken = (await api('POST', '/v1/auth/login', { email: clerkEmail, password: await firstPasswordChange(clerkEmail, clerkPassword) })).body
      .accessToken as string;
    expect(await api('POST', `/v1/users/${me}/disable`, undefined, clerkToken)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect((await api('GET', '/v1/me', undefined, clerkToken)).body).toMatchObject({ disabled: false });
  });
});

describe('deleting a staff account (issue 15, item 7)', () => {
  it('ends every session, destroys the staff member’s key (announced on crm.keys.v1.shredded), records UserDeleted, and the account is gone', async () => {
    const email = `deleted-${uniqueName('d')}@example.com`;
    let password = strongPassword();
    const created = await api(
      'POST',
      '/v1/users',
      { email, displayName: 'Former Colleague', password, roles: [await passwordOnlyRole()] },
      await grantingAdminToken(),
    );
    expect(created.status).toBe(201);
    password = await firstPasswordChange(email, password);
    const id = created.body.id as string;
    const session = (await api('POST', '/v1/auth/login', { email, password })).body as { accessToken: string; refreshToken: string };

    expect((await api('DELETE', `/v1/users/${id}`, undefined, await grantingAdminToken())).status).toBe(204);

    expect((await api('GET', '/v1/me', undefined, session.accessToken)).status).toBe(401);
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect(await api('POST', '/v1/auth/login', { email, password })).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });
    expect(await api('GET', `/v1/users/${id}`, undefined, admin.accessToken)).toMatchObject({ status: 404, body: { code: 'USER_NOT_FOUND' } });
    expect(await api('DELETE', `/v1/users/${id}`, undefined, await grantingAdminToken())).toMatchObject({ status: 404, body: { code: 'USER_NOT_FOUND' } });

    const kafka = new KafkaCluster({
      name: 'primary',
      brokers: primaryKafka.primaryBrokers,
      sasl: primaryKafka.sasl,
      clientId: 'e2e-deletion',
    });
    try {
      const shredded = await kafka.readFromStart('crm.keys.v1.shredded', (messages) => messages.some((message) => message.key === id), {
        groupId: uniqueName('e2e-deletion-keys'),
        timeoutMs: 30_000,
      });
      expect(shredded.some((message) => message.key === id)).toBe(true);
      const deleted = await kafka.readFromStart(
        'crm.identity.v1.events',
        (messages) =>
          messages.some((message) => envelopeIn(message.value)?.eventType === 'crm.identity.v1.UserDeleted' && envelopeIn(message.value)?.subjectId === id),
        { groupId: uniqueName('e2e-deletion-events'), timeoutMs: 30_000 },
      );
      expect(deleted.length).toBeGreaterThan(0);
    } finally {
      await kafka.close();
    }
  });

  it('nobody deletes their own account (ACCOUNT_SELF_DELETE)', async () => {
    const me = (await api('GET', '/v1/me', undefined, admin.accessToken)).body.id as string;
    expect(await api('DELETE', `/v1/users/${me}`, undefined, await grantingAdminToken())).toMatchObject({ status: 403, body: { code: 'ACCOUNT_SELF_DELETE' } });
    expect((await api('GET', '/v1/me', undefined, admin.accessToken)).status).toBe(200);
  });
});

// Issue 15 item 6. Last in the file: it waits for a second factor to go stale (npm test shortens the window to 40 s).
describe('granting roles (privilege escalation)', () => {
  it('users:manage alone cannot create an administrator (nor any account): a grant needs roles:manage', async () => {
    const role = `hr-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('POST', '/v1/roles', { name: role, permissions: ['users:manage'] }, admin.accessToken)).status).toBe(201);
    const hrEmail = `hr-${uniqueName('h')}@example.com`;
    const hrPassword = strongPassword();
    expect(
      (await api('POST', '/v1/users', { email: hrEmail, displayName: 'People Team', password: hrPassword, roles: [role] }, await grantingAdminToken())).status,
    ).toBe(201);
    const hr = await signIn(hrEmail, await firstPasswordChange(hrEmail, hrPassword), { step: 1 }); // a second factor used just now: fresh

    const email = `boss-${uniqueName('b')}@example.com`;
    const password = strongPassword();
    const attempt = await api('POST', '/v1/users', { email, displayName: 'New Boss', password, roles: ['administrator'] }, hr.accessToken);

    expect(attempt).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    // No such account was stored: its would-be credentials do not sign in.
    expect(await api('POST', '/v1/auth/login', { email, password })).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });
  });

  it('a grant needs a second factor confirmed within the step-up window: with a stale one, 403 STEP_UP_REQUIRED and nothing changes', async () => {
    const role = `grantor-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('POST', '/v1/roles', { name: role, permissions: ['users:manage', 'roles:manage'] }, admin.accessToken)).status).toBe(201);
    const grantorEmail = `grantor-${uniqueName('g')}@example.com`;
    const givenPassword = strongPassword();
    const created = await api(
      'POST',
      '/v1/users',
      { email: grantorEmail, displayName: 'Grantor', password: givenPassword, roles: [role] },
      await grantingAdminToken(),
    );
    expect(created.status).toBe(201);
    const grantorPassword = await firstPasswordChange(grantorEmail, givenPassword);
    const signedInAt = Date.now();
    const grantor = await signIn(grantorEmail, grantorPassword, { step: 1 });
    const target = (
      await api(
        'POST',
        '/v1/users',
        { email: `g-${uniqueName('t')}@example.com`, displayName: 'Target', password: strongPassword(), roles: ['sales'] },
        grantor.accessToken,
      )
    ).body.id as string;
    expect(target).toEqual(expect.any(String)); // fresh: the grantor may create an account

    await expectEventually(
      async () => {
        // Probed on an account that does not exist: 404 while the factor is fresh, 403 once it is stale.
        const probe = await api('PUT', '/v1/users/01900000-0000-7000-8000-000000000000/roles', { roles: ['analyst'] }, grantor.accessToken);
        expect(probe).toMatchObject({ status: 403, body: { code: 'STEP_UP_REQUIRED' } });
      },
      { timeoutMs: Math.max(0, signedInAt + (stepUpSeconds + 5) * 1_000 - Date.now()) + 10_000, intervalMs: 2_000 },
    );
    const stale = await api('PUT', `/v1/users/${target}/roles`, { roles: ['administrator'] }, grantor.accessToken);
    expect(stale).toMatchObject({ status: 403, body: { code: 'STEP_UP_REQUIRED' } });
    const creation = await api(
      'POST',
      '/v1/users',
      { email: `g-${uniqueName('u')}@example.com`, displayName: 'Another', password: strongPassword(), roles: ['administrator'] },
      grantor.accessToken,
    );
    expect(creation).toMatchObject({ status: 403, body: { code: 'STEP_UP_REQUIRED' } });
    expect((await api('GET', `/v1/users/${target}`, undefined, admin.accessToken)).body).toMatchObject({ roles: ['sales'] });

    // A second factor again: the same grant goes through.
    const again = await signInAgain(grantorEmail, grantorPassword, grantor.secret!);
    expect(await api('PUT', `/v1/users/${target}/roles`, { roles: ['analyst'] }, again.accessToken)).toMatchObject({
      status: 200,
      body: { roles: ['analyst'] },
    });
  }, 600_000);
});
