// The first sign-in of an account whose password someone else chose (an administrator, or the first start for the
// bootstrap administrator), in the identity service as it boots (real Postgres, Redis, Kafka and key vault): sign-in
// gives a password-change token and nothing else until the holder has changed the password; the change needs the
// password they were given, passes the policy, is an event, and spends the token; the bootstrap administrator's
// generated password file goes with the change.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { Request } from 'express';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { strongPassword, uniqueName } from '@crm/testing';
import { AuthenticationService } from '../../authentication/authentication.service.js';
import { accountStream } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { BootstrapPassword } from '../bootstrap-password.js';
import { RegisterAccountHandler } from '../register-account/register-account.handler.js';
import { bootIdentityForSuite } from '../../testing/identity-app.fixture.js';
import { ChangePasswordRoute } from './change-password.route.js';

const app = bootIdentityForSuite();
const address = '203.0.113.41';
const fromClient = () => ({ socket: { remoteAddress: address }, headers: {} }) as unknown as Request;

async function registered(password = strongPassword(), roles = ['sales']): Promise<{ id: string; email: string; password: string }> {
  const email = `${uniqueName('first')}@example.com`;
  const { id } = await app().get(RegisterAccountHandler).execute({ email, displayName: 'Dorothy Vaughan', password, roles }, 'admin', 'corr-first');
  return { id, email, password };
}

async function codeOf(attempt: Promise<unknown>): Promise<string | undefined> {
  try {
    await attempt;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('the first sign-in of an account with a password set by someone else', () => {
  it('given a new account, when its password signs in, then the answer is a password-change token only, again and again', async () => {
    const user = await registered();
    const authentication = app().get(AuthenticationService);

    const first = await authentication.login(user.email, user.password, address, 'corr-first');
    const second = await authentication.login(user.email, user.password, address, 'corr-first');

    for (const outcome of [first, second]) {
      expect(outcome).toEqual({ passwordChangeRequired: true, passwordChangeToken: expect.any(String) });
    }
    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(true);
  });

  it('given the token, when the change has the wrong current password or a weak or the same new one, then it is refused and nothing changes', async () => {
    const user = await registered();
    const outcome = await app().get(AuthenticationService).login(user.email, user.password, address, 'corr-first');
    const passwordChangeToken = (outcome as { passwordChangeToken: string }).passwordChangeToken;
    const route = app().get(ChangePasswordRoute);

    expect(await codeOf(route.change({ currentPassword: 'Not-the-one-9!', newPassword: strongPassword(), passwordChangeToken }, undefined, fromClient()))).toBe(
      'PASSWORD_CURRENT_INVALID',
    );
    expect(await codeOf(route.change({ currentPassword: user.password, newPassword: 'weak', passwordChangeToken }, undefined, fromClient()))).toBe(
      'PASSWORD_POLICY_VIOLATED',
    );
    expect(await codeOf(route.change({ currentPassword: user.password, newPassword: user.password, passwordChangeToken }, undefined, fromClient()))).toBe(
      'PASSWORD_POLICY_VIOLATED',
    );
    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(true);
    expect(await app().get(AuthenticationService).login(user.email, user.password, address, 'corr-first')).toMatchObject({ passwordChangeRequired: true });
  });

  it('given the token and the password given, when a good new one is set, then PasswordChanged is recorded, the token is spent and the new password leads on to the second factor', async () => {
    const user = await registered();
    const authentication = app().get(AuthenticationService);
    const { passwordChangeToken } = (await authentication.login(user.email, user.password, address, 'corr-first')) as { passwordChangeToken: string };
    const newPassword = strongPassword();

    await app().get(ChangePasswordRoute).change({ currentPassword: user.password, newPassword, passwordChangeToken }, undefined, fromClient());

    expect((await app().get(AccountsRepository).credentials(user.id))?.password_change_required).toBe(false);
    const recorded = await app().get<EventStore>(EVENT_STORE).readStream(accountStream(user.id));
    expect(recorded.map((event) => event.envelope.eventType)).toEqual(['crm.identity.v1.UserRegistered', 'crm.identity.v1.PasswordChanged']);
    expect(await codeOf(authentication.callerOf(passwordChangeToken, undefined, 'password'))).toBe('CHALLENGE_INVALID');
    expect(await codeOf(authentication.login(user.email, user.password, address, 'corr-first'))).toBe('LOGIN_FAILED');
    // sales sees personal data: a second factor is enrolled next, and only then is there a session.
    expect(await authentication.login(user.email, newPassword, address, 'corr-first')).toMatchObject({ mfaEnrollmentRequired: true });
  });
});

describe("the bootstrap administrator's generated password file", () => {
  it('given no file at the first start, then a password the policy accepts is generated into it (0600), and read back the same later', async () => {
    const bootstrap = app().get(BootstrapPassword);
    const { rm } = await import('node:fs/promises');
    await rm(bootstrap.file, { force: true });

    const generated = await bootstrap.obtain();

    expect(statSync(bootstrap.file).mode & 0o777).toBe(0o600);
    expect(generated).toMatch(/^Pw!\S{24}7a$/);
    expect(await bootstrap.obtain()).toBe(generated);
  });

  it('given the file, when another account changes its password, then the file stays; when the account of that password changes it, then the file is deleted', async () => {
    const bootstrap = app().get(BootstrapPassword);
    const generatedPassword = strongPassword();
    writeFileSync(bootstrap.file, `${generatedPassword}\n`, { mode: 0o600 });
    const admin = await registered(generatedPassword, ['administrator']);
    const other = await registered();
    const authentication = app().get(AuthenticationService);
    const change = async (user: { email: string; password: string }) => {
      const { passwordChangeToken } = (await authentication.login(user.email, user.password, address, 'corr-first')) as { passwordChangeToken: string };
      await app()
        .get(ChangePasswordRoute)
        .change({ currentPassword: user.password, newPassword: strongPassword(), passwordChangeToken }, undefined, fromClient());
    };

    await change(other);
    expect(existsSync(bootstrap.file)).toBe(true);

    await change(admin);
    expect(existsSync(bootstrap.file)).toBe(false);
  });
});
