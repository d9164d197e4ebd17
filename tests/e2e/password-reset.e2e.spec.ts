// An administrator resets a staff member's password through the gateway (issue 15, item 7): the password they forgot,
// or that leaked, stops working at once with every session of theirs; the one-time password the administrator hands
// over opens only the forced change; then the holder's own password works. The platform is the one `npm test` started.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  adminSession,
  api,
  expectEventually,
  firstPasswordChange,
  grantingAdminToken,
  request,
  signIn as signInWithSecondFactor,
  stateDir,
  strongPassword,
  uniqueName,
} from '@crm/testing';

let admin: { accessToken: string; refreshToken: string };
let redis: Redis;
let passwordOnlyRole: string;

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
  // A custom role that sees no personal data, so its holders sign in with a password alone.
  passwordOnlyRole = `reset-clerk-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('POST', '/v1/roles', { name: passwordOnlyRole, permissions: ['register:manage'] }, admin.accessToken)).status).toBe(201);
});
afterAll(() => redis.quit());

/** A staff member past the first sign-in, with their own password. */
async function staffMember(): Promise<{ id: string; email: string; password: string }> {
  const email = `reset-${uniqueName('r')}@example.com`;
  const given = strongPassword();
  const created = await api(
    'POST',
    '/v1/users',
    { email, displayName: 'Forgetful Colleague', password: given, roles: [passwordOnlyRole] },
    await grantingAdminToken(),
  );
  expect(created.status).toBe(201);
  return { id: created.body.id as string, email, password: await firstPasswordChange(email, given) };
}

const signIn = async (email: string, password: string) => api('POST', '/v1/auth/login', { email, password });

describe("an administrator resets a staff member's password (issue 15, item 7)", () => {
  it('the old password and session stop, the one-time password opens only the forced change, and the new password works', async () => {
    const user = await staffMember();
    const session = (await signIn(user.email, user.password)).body as { accessToken: string; refreshToken: string };
    expect(session.refreshToken).toEqual(expect.any(String));

    const reset = await request('POST', `/v1/users/${user.id}/password-reset`, await grantingAdminToken());

    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ oneTimePassword: expect.any(String), sessionsEnded: 1 });
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const oneTimePassword = reset.body.oneTimePassword as string;
    // The old session is dead: its refresh token and its access token.
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect((await api('GET', '/v1/me', undefined, session.accessToken)).status).toBe(401);
    // The old password opens nothing.
    expect(await signIn(user.email, user.password)).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });

    // The one-time password signs in to the forced change only: no token, no other step.
    const forced = await signIn(user.email, oneTimePassword);
    expect(forced.status).toBe(200);
    expect(Object.keys(forced.body).sort()).toEqual(['passwordChangeRequired', 'passwordChangeToken']);
    const passwordChangeToken = forced.body.passwordChangeToken as string;
    expect((await api('GET', '/v1/me', undefined, passwordChangeToken)).status).toBe(401);
    // The one-time password may not be kept.
    expect(await api('POST', '/v1/me/password', { currentPassword: oneTimePassword, newPassword: oneTimePassword, passwordChangeToken })).toMatchObject({
      status: 400,
      body: { code: 'PASSWORD_POLICY_VIOLATED' },
    });

    const own = strongPassword();
    expect((await api('POST', '/v1/me/password', { currentPassword: oneTimePassword, newPassword: own, passwordChangeToken })).status).toBe(204);
    expect(await signIn(user.email, oneTimePassword)).toMatchObject({ status: 401, body: { code: 'LOGIN_FAILED' } });
    const again = await signIn(user.email, own);
    expect(again.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect((await api('GET', '/v1/me', undefined, again.body.accessToken as string)).body).toMatchObject({ id: user.id });
    // And the old session stays dead.
    expect((await api('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);

    // The reset is on the audit trail, as an administrator reads the account's events.
    await expectEventually(
      async () => {
        const trail = await api('GET', `/v1/audit/entries?subjectId=${user.id}&limit=100`, undefined, await grantingAdminToken());
        expect((trail.body.entries as Array<{ action: string }>).map((entry) => entry.action)).toContain('crm.identity.v1.PasswordReset');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  it('nobody resets their own password this way (403 PASSWORD_SELF_RESET) nor that of someone with more rights (403 PASSWORD_RESET_EXCEEDS_PERMISSIONS), an unknown account is 404 USER_NOT_FOUND, and a holder of no users:manage resets nobody', async () => {
    // An administrator of its own (users:manage, a fresh second factor), so a broken refusal resets no one the suite needs.
    const role = `pw-resetter-${Math.random().toString(36).slice(2, 8)}`;
    expect((await api('POST', '/v1/roles', { name: role, permissions: ['users:manage'] }, admin.accessToken)).status).toBe(201);
    const email = `resetter-${uniqueName('r')}@example.com`;
    const given = strongPassword();
    const created = await api('POST', '/v1/users', { email, displayName: 'People Team', password: given, roles: [role] }, await grantingAdminToken());
    expect(created.status).toBe(201);
    const password = await firstPasswordChange(email, given);
    const resetter = await signInWithSecondFactor(email, password, { step: 1 });

    expect(await api('POST', `/v1/users/${created.body.id as string}/password-reset`, undefined, resetter.accessToken)).toMatchObject({
      status: 403,
      body: { code: 'PASSWORD_SELF_RESET' },
    });
    expect((await api('GET', '/v1/me', undefined, resetter.accessToken)).status).toBe(200);
    expect((await signIn(email, password)).body).toMatchObject({ mfaRequired: true });

    expect(await api('POST', '/v1/users/01900000-0000-7000-8000-000000000000/password-reset', undefined, resetter.accessToken)).toMatchObject({
      status: 404,
      body: { code: 'USER_NOT_FOUND' },
    });

    // Nor someone with more rights than the resetter's (a reset would hand them over): the target's role holds
    // register:manage, the resetter only users:manage.
    const target = await staffMember();
    expect(await api('POST', `/v1/users/${target.id}/password-reset`, undefined, resetter.accessToken)).toMatchObject({
      status: 403,
      body: { code: 'PASSWORD_RESET_EXCEEDS_PERMISSIONS', details: { permissions: ['register:manage'] } },
    });
    const clerk = await staffMember();
    const clerkToken = (await signIn(clerk.email, clerk.password)).body.accessToken as string;
    expect(await api('POST', `/v1/users/${target.id}/password-reset`, undefined, clerkToken)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect((await signIn(target.email, target.password)).body).toMatchObject({ accessToken: expect.any(String) });
  });
});
