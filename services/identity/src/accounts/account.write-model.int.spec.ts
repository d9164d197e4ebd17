// Staff accounts through the one write path, in the identity service as it boots (real Postgres, Redis, Kafka and
// key vault): the account row a decision is taken on must be the state the account's stream folds to, versions
// must be the stream's. (What each use case stores or refuses is tested beside it, in `<use-case>/`.)
import { PERMISSIONS } from '@crm/auth';
import { fold, type EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { strongPassword, uniqueName } from '@crm/testing';
import { accountStream, AccountWriteModel } from './account.write-model.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountViews } from './account.views.js';
import { AssignRolesHandler } from './assign-roles/assign-roles.handler.js';
import { RegisterAccountHandler } from './register-account/register-account.handler.js';
import { ResetMfaHandler } from './reset-mfa/reset-mfa.handler.js';
import { ResetPasswordHandler } from './reset-password/reset-password.handler.js';
import { bootIdentityForSuite, firstPasswordChange } from '../testing/identity-app.fixture.js';

const app = bootIdentityForSuite();

describe('staff accounts through the command pipeline', () => {
  it('given a registered account whose roles and second factor changed, then its row is the fold of its stream, at the stream version', async () => {
    const model = app().get(AccountWriteModel);
    const store = app().get<EventStore>(EVENT_STORE);
    const registered = await app()
      .get(RegisterAccountHandler)
      .execute(
        { email: `${uniqueName('staff')}@example.com`, displayName: 'Grace Hopper', password: strongPassword(), roles: ['sales'] },
        'system',
        'corr-accounts-1',
      );

    await app().get(AssignRolesHandler).execute(registered.id, ['support', 'analyst'], 'system', 'corr-accounts-2');
    await app().get(ResetMfaHandler).execute(registered.id, 'system', 'corr-accounts-3');

    const recorded = await store.readStream(accountStream(registered.id));
    const folded = fold(model.decider, await Promise.all(recorded.map((event) => model.codec.decode(event.envelope))));
    const loaded = await withTransaction(app().get(AccountsRepository).pool, (tx) =>
      model.load(tx, { type: 'ResetMfa', userId: registered.id }, accountStream(registered.id)),
    );
    expect(recorded.map((event) => event.envelope.eventType)).toEqual([
      'crm.identity.v1.UserRegistered',
      'crm.identity.v1.RolesAssigned',
      'crm.identity.v1.MfaReset',
    ]);
    expect(loaded).toEqual({ state: folded, version: 3n });
    expect(folded).toEqual({ status: 'active', roles: ['support', 'analyst'], mfaEnrolled: false, passwordChangeRequired: true });
    expect(await app().get(AccountViews).byId(registered.id)).toMatchObject({
      email: registered.email,
      displayName: 'Grace Hopper',
      roles: ['support', 'analyst'],
      createdAt: registered.createdAt,
    });
  });

  it('given an account whose holder changed the password and an administrator then reset it, then its row is the fold of its stream: the change is required again', async () => {
    const model = app().get(AccountWriteModel);
    const registered = await app()
      .get(RegisterAccountHandler)
      .execute(
        { email: `${uniqueName('staff')}@example.com`, displayName: 'Mary Jackson', password: strongPassword(), roles: ['sales'] },
        'system',
        'corr-accounts-4',
      );
    await firstPasswordChange(app(), registered.id, strongPassword());
    await app().get(ResetPasswordHandler).execute(registered.id, { id: 'system', permissions: PERMISSIONS }, 'corr-accounts-5');

    const recorded = await app().get<EventStore>(EVENT_STORE).readStream(accountStream(registered.id));
    const decoded = await Promise.all(recorded.map((event) => model.codec.decode(event.envelope)));
    const loaded = await withTransaction(app().get(AccountsRepository).pool, (tx) =>
      model.load(tx, { type: 'ResetMfa', userId: registered.id }, accountStream(registered.id)),
    );
    expect(decoded.map((event) => event.type)).toEqual(['UserRegistered', 'PasswordChanged', 'PasswordReset']);
    expect(loaded).toEqual({ state: fold(model.decider, decoded), version: 3n });
    expect(loaded.state.passwordChangeRequired).toBe(true);
  });
});
