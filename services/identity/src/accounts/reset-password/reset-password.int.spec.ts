// An administrator resets a staff member's password (issue 15, item 7), in the identity service as it boots (real
// Postgres, Redis, Kafka and key vault): a generated one-time password replaces the old one, `PasswordReset` is
// recorded on the account's stream, every session of the account ends, and the one-time password signs in to the
// forced change only. Nobody resets their own; an unknown account is USER_NOT_FOUND.
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { PERMISSIONS } from '@crm/auth';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { strongPassword, uniqueName } from '@crm/testing';
import { AuthenticationService } from '../../authentication/authentication.service.js';
import { RefreshTokenStore } from '../../tokens/index.js';
import { bootIdentityForSuite, firstPasswordChange } from '../../testing/identity-app.fixture.js';
import { ChangePasswordRoute } from '../change-password/change-password.route.js';
import { accountStream } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { RegisterAccountHandler } from '../register-account/register-account.handler.js';
import { ResetPasswordHandler } from './reset-password.handler.js';

const app = bootIdentityForSuite();
const address = '203.0.113.57';
const fromClient = () => ({ socket: { remoteAddress: address }, headers: {} }) as unknown as Request;
const administrator = { id: randomUUID(), permissions: PERMISSIONS };

/** A staff member past the first sign-in: their own password set, and a live session. */
async function staffMember(): Promise<{ id: string; email: string; password: string; refreshToken: string }> {
  const email = `${uniqueName('reset')}@example.com`;
  const { id } = await app()
    .get(RegisterAccountHandler)
    .execute({ email, displayName: 'Katherine Johnson', password: strongPassword(), roles: ['sales'] }, administrator.id, 'corr-reset');
  const password = await firstPasswordChange(app(), id, strongPassword());
  const { refreshToken } = await app()
    .get(RefreshTokenStore)
    .startSession(id, { amr: ['pwd', 'otp'], mfaAt: new Date() });
  return { id, email, password, refreshToken };
}

const eventTypes = async (userId: string): Promise<string[]> =>
  (await app().get<EventStore>(EVENT_STORE).readStream(accountStream(userId))).map((event) => event.envelope.eventType);

async function codeOf(attempt: Promise<unknown>): Promise<string | undefined> {
  try {
    await attempt;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("an administrator resets a staff member's password", () => {
  it('given a staff member with their own password and a session, when an administrator resets it, then a one-time password replaces it, PasswordReset is recorded, the session ends, and that password signs in to the forced change only', async () => {
    const user = await staffMember();
    const authentication = app().get(AuthenticationService);

    const { oneTimePassword, sessionsEnded } = await app().get(ResetPasswordHandler).execute(user.id, administrator, 'corr-reset');

    expect(sessionsEnded).toBe(1);
    expect(oneTimePassword).not.toBe(user.password);
    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(true);
    const recorded = await app().get<EventStore>(EVENT_STORE).readStream(accountStream(user.id));
    expect(recorded.map((event) => event.envelope.eventType)).toEqual([
      'crm.identity.v1.UserRegistered',
      'crm.identity.v1.PasswordChanged',
      'crm.identity.v1.PasswordReset',
    ]);
    // The event names the account and who acted; the password is nowhere in it.
    const reset = recorded.at(-1)!.envelope;
    expect(reset.actor?.id).toBe(administrator.id);
    expect(Buffer.from(reset.payload).includes(Buffer.from(oneTimePassword))).toBe(false);
    expect(await codeOf(app().get(RefreshTokenStore).rotate(user.refreshToken))).toBe('REFRESH_TOKEN_INVALID');
    expect(await codeOf(authentication.login(user.email, user.password, address, 'corr-reset'))).toBe('LOGIN_FAILED');

    const signIn = await authentication.login(user.email, oneTimePassword, address, 'corr-reset');
    expect(signIn).toEqual({ passwordChangeRequired: true, passwordChangeToken: expect.any(String) });

    const own = strongPassword();
    const { passwordChangeToken } = signIn as { passwordChangeToken: string };
    await app().get(ChangePasswordRoute).change({ currentPassword: oneTimePassword, newPassword: own, passwordChangeToken }, undefined, fromClient());
    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(false);
    expect(await codeOf(authentication.login(user.email, oneTimePassword, address, 'corr-reset'))).toBe('LOGIN_FAILED');
    // sales sees personal data: its own password leads on to the second factor.
    expect(await authentication.login(user.email, own, address, 'corr-reset')).toMatchObject({ mfaEnrollmentRequired: true });
  });

  it('given a staff member who locked their account guessing at a forgotten password, when an administrator resets it, then the one-time password signs in to the change at once', async () => {
    const user = await staffMember();
    const authentication = app().get(AuthenticationService);
    const from = '198.51.100.77';
    for (
      let attempt = 0;
      attempt < 20 && (await codeOf(authentication.login(user.email, `Forgotten-${attempt}-x1!`, from, 'corr-reset'))) !== 'LOGIN_LOCKED';
      attempt++
    );
    expect(await codeOf(authentication.login(user.email, user.password, from, 'corr-reset'))).toBe('LOGIN_LOCKED');

    const { oneTimePassword } = await app().get(ResetPasswordHandler).execute(user.id, administrator, 'corr-reset');

    expect(await authentication.login(user.email, oneTimePassword, from, 'corr-reset')).toEqual({
      passwordChangeRequired: true,
      passwordChangeToken: expect.any(String),
    });
  });

  it('given a staff member, when they reset their own password, then PASSWORD_SELF_RESET and nothing changes', async () => {
    const user = await staffMember();

    expect(await codeOf(app().get(ResetPasswordHandler).execute(user.id, { id: user.id, permissions: PERMISSIONS }, 'corr-reset'))).toBe('PASSWORD_SELF_RESET');

    expect(await eventTypes(user.id)).toEqual(['crm.identity.v1.UserRegistered', 'crm.identity.v1.PasswordChanged']);
    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(false);
    expect(await app().get(RefreshTokenStore).rotate(user.refreshToken)).toMatchObject({ refreshToken: expect.any(String) });
    expect(await app().get(AuthenticationService).login(user.email, user.password, address, 'corr-reset')).toMatchObject({ mfaEnrollmentRequired: true });
  });

  it('given a salesperson, when someone holding users:manage alone resets the password, then PASSWORD_RESET_EXCEEDS_PERMISSIONS and nothing changes', async () => {
    const user = await staffMember();

    expect(
      await codeOf(
        app()
          .get(ResetPasswordHandler)
          .execute(user.id, { id: randomUUID(), permissions: ['users:manage'] }, 'corr-reset'),
      ),
    ).toBe('PASSWORD_RESET_EXCEEDS_PERMISSIONS');

    expect(await eventTypes(user.id)).toEqual(['crm.identity.v1.UserRegistered', 'crm.identity.v1.PasswordChanged']);
    expect(await app().get(RefreshTokenStore).rotate(user.refreshToken)).toMatchObject({ refreshToken: expect.any(String) });
    expect(await app().get(AuthenticationService).login(user.email, user.password, address, 'corr-reset')).toMatchObject({ mfaEnrollmentRequired: true });
  });

  it('given a one-time password older than its life (a day by default), when its holder signs in with it, then ONE_TIME_PASSWORD_EXPIRED, nothing opens, and only a new reset helps', async () => {
    const user = await staffMember();
    const authentication = app().get(AuthenticationService);
    const { oneTimePassword } = await app().get(ResetPasswordHandler).execute(user.id, administrator, 'corr-reset');
    const repository = app().get(AccountsRepository);
    const issuedAt = (await repository.credentials(user.id))?.one_time_password_issued_at;
    expect(issuedAt).toBeInstanceOf(Date);
    // The reset was a day and a second ago (the row keeps when it was decided; the service's clock is the real one).
    await repository.pool.query(`UPDATE identity.credentials SET one_time_password_issued_at = $2 WHERE user_id = $1`, [
      user.id,
      new Date(issuedAt!.getTime() - (86_400 + 1) * 1000),
    ]);

    expect(await codeOf(authentication.login(user.email, oneTimePassword, address, 'corr-reset'))).toBe('ONE_TIME_PASSWORD_EXPIRED');
    // Anyone without that password learns nothing new: the answer of every wrong password.
    expect(await codeOf(authentication.login(user.email, `Not-it-${randomUUID()}1!`, address, 'corr-reset'))).toBe('LOGIN_FAILED');

    const { oneTimePassword: fresh } = await app().get(ResetPasswordHandler).execute(user.id, administrator, 'corr-reset');
    expect(await authentication.login(user.email, fresh, address, 'corr-reset')).toEqual({
      passwordChangeRequired: true,
      passwordChangeToken: expect.any(String),
    });
  });

  it('given no such account, when its password is reset, then USER_NOT_FOUND', async () => {
    expect(await codeOf(app().get(ResetPasswordHandler).execute(randomUUID(), administrator, 'corr-reset'))).toBe('USER_NOT_FOUND');
  });
});
