// The second factor's hard lock in the identity service as it boots (real Postgres, Redis, Kafka and key vault):
// failed codes add up across the 5-minute windows, the 101st failure finds the second factor locked (even for the
// right code), and only an administrator or a recovery code unlocks it.
import { PERMISSIONS } from '@crm/auth';
import { REDIS, type Redis } from '@crm/redis';
import { strongPassword, totpCode, uniqueName } from '@crm/testing';
import { RegisterAccountHandler } from '../accounts/register-account/register-account.handler.js';
import { UnlockAccountHandler } from '../accounts/unlock-account/unlock-account.handler.js';
import { MfaEnrolmentService } from '../mfa-enrolment/mfa-enrolment.service.js';
import { BLIND_INDEXER } from '@crm/platform';
import type { BlindIndexer } from '@crm/crypto';
import { EMAIL_INDEX } from '../accounts/account.write-model.js';
import { loadLoginThrottleSettings, LoginThrottle } from '../login-throttling/index.js';
import { MFA_ATTEMPTS_KEY_PREFIX } from '../mfa/index.js';
import { bootIdentityForSuite, firstPasswordChange } from '../testing/identity-app.fixture.js';
import { AuthenticationService } from './authentication.service.js';

const app = bootIdentityForSuite();
const STEP = 30;

interface EnrolledUser {
  userId: string;
  email: string;
  password: string;
  secret: string;
  recoveryCodes: string[];
  enrolledStep: number;
}

async function enrolledUser(): Promise<EnrolledUser> {
  const email = `${uniqueName('locked')}@example.com`;
  const { id: userId } = await app()
    .get(RegisterAccountHandler)
    .execute({ email, displayName: 'Grace Hopper', password: strongPassword(), roles: ['sales'] }, 'system', 'corr-lock');
  const password = await firstPasswordChange(app(), userId, strongPassword());
  const { secret } = await app().get(MfaEnrolmentService).start(userId);
  const now = Date.now() / 1000;
  const { recoveryCodes } = await app().get(MfaEnrolmentService).confirm(userId, totpCode(secret, now), 'corr-lock');
  return { userId, email, password, secret, recoveryCodes, enrolledStep: Math.floor(now / STEP) };
}

async function mfaToken(user: EnrolledUser): Promise<string> {
  const outcome = await app().get(AuthenticationService).login(user.email, user.password, '203.0.113.9', 'corr-lock');
  if (!('mfaToken' in outcome)) throw new Error('expected a second-factor challenge');
  return outcome.mfaToken;
}

/** The authenticator's current code, or the next one when the current time step was spent at enrolment. */
function rightCode(user: EnrolledUser): string {
  const now = Date.now() / 1000;
  return totpCode(user.secret, Math.floor(now / STEP) === user.enrolledStep ? now + STEP : now);
}

/** Six digits that no time step near now accepts. */
function wrongCode(user: EnrolledUser): string {
  const now = Date.now() / 1000;
  const near = [-2, -1, 0, 1, 2].map((steps) => totpCode(user.secret, now + steps * STEP));
  return ['000000', '111111', '222222'].find((code) => !near.includes(code))!;
}

async function failure(attempt: Promise<unknown>): Promise<string> {
  return attempt.then(
    () => 'accepted',
    (error: { code?: string }) => error.code ?? String(error),
  );
}

/** 100 wrong codes, each in a window of its own (the window's key gone, as when it expires). */
async function failHundredTimes(user: EnrolledUser, token: string): Promise<void> {
  const redis = app().get<Redis>(REDIS);
  for (let attempt = 1; attempt <= 100; attempt += 1) {
    expect(await failure(app().get(AuthenticationService).completeMfa(token, wrongCode(user), 'corr-lock'))).toBe('MFA_CODE_INVALID');
    await redis.del(`${MFA_ATTEMPTS_KEY_PREFIX}${user.userId}`);
  }
}

describe('the hard lock of the second factor', () => {
  it('given 100 failed codes over many windows, then the 101st attempt is MFA_LOCKED even with the right code, until an administrator unlocks', async () => {
    const user = await enrolledUser();
    const token = await mfaToken(user);
    const authentication = app().get(AuthenticationService);

    await failHundredTimes(user, token);

    expect(await failure(authentication.completeMfa(token, rightCode(user), 'corr-lock'))).toBe('MFA_LOCKED');
    await app().get<Redis>(REDIS).del(`${MFA_ATTEMPTS_KEY_PREFIX}${user.userId}`);
    expect(await failure(authentication.completeMfa(token, rightCode(user), 'corr-lock'))).toBe('MFA_LOCKED');

    await app().get(UnlockAccountHandler).execute(user.userId, { id: 'administrator-1', permissions: PERMISSIONS });

    await expect(authentication.completeMfa(token, rightCode(user), 'corr-lock')).resolves.toMatchObject({ tokenType: 'Bearer' });
  }, 120_000);

  it('given a locked second factor, then a recovery code signs the user in and unlocks TOTP', async () => {
    const user = await enrolledUser();
    const authentication = app().get(AuthenticationService);
    await failHundredTimes(user, await mfaToken(user));
    const token = await mfaToken(user);
    expect(await failure(authentication.completeMfa(token, rightCode(user), 'corr-lock'))).toBe('MFA_LOCKED');

    await expect(authentication.completeMfa(token, user.recoveryCodes[0]!, 'corr-lock')).resolves.toMatchObject({ tokenType: 'Bearer' });

    await expect(authentication.completeMfa(await mfaToken(user), rightCode(user), 'corr-lock')).resolves.toMatchObject({ tokenType: 'Bearer' });
  }, 120_000);

  it('given 100 consecutive wrong passwords across lock periods, then even the right one is LOGIN_HARD_LOCKED until an administrator unlocks', async () => {
    const user = await enrolledUser();
    const authentication = app().get(AuthenticationService);
    const accountKey = app().get<BlindIndexer<string>>(BLIND_INDEXER).blindIndex(EMAIL_INDEX, user.email);
    const lockKey = new LoginThrottle(app().get<Redis>(REDIS), loadLoginThrottleSettings()).redisKeys(accountKey, '203.0.113.9').account;
    for (let attempt = 1; attempt <= 100; attempt += 1) {
      // From an address of its own each time, and with the 15-minute lock over (its key gone, as when it expires).
      expect(await failure(authentication.login(user.email, `${user.password}x`, `198.51.100.${attempt}`, 'corr-lock'))).toBe('LOGIN_FAILED');
      await app().get<Redis>(REDIS).del(lockKey);
    }

    expect(await failure(authentication.login(user.email, user.password, '203.0.113.9', 'corr-lock'))).toBe('LOGIN_HARD_LOCKED');

    // users:manage alone does not lift the locks of a salesperson: it must not help guess at a richer account.
    expect(
      await failure(
        app()
          .get(UnlockAccountHandler)
          .execute(user.userId, { id: 'administrator-2', permissions: ['users:manage'] }),
      ),
    ).toBe('ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS');
    expect(await failure(authentication.login(user.email, user.password, '203.0.113.9', 'corr-lock'))).toBe('LOGIN_HARD_LOCKED');

    await app().get(UnlockAccountHandler).execute(user.userId, { id: 'administrator-1', permissions: PERMISSIONS });

    await expect(authentication.login(user.email, user.password, '203.0.113.9', 'corr-lock')).resolves.toMatchObject({ mfaRequired: true });
  }, 120_000);

  it('given an unknown account, then the administrator unlock is USER_NOT_FOUND', async () => {
    expect(
      await failure(app().get(UnlockAccountHandler).execute('0190f3a4-2222-7000-8000-00000000abcd', { id: 'administrator-1', permissions: PERMISSIONS })),
    ).toBe('USER_NOT_FOUND');
  });
});
