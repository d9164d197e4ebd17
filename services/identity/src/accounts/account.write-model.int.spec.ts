// Staff accounts through the one write path, in the identity service as it boots (real Postgres, Redis, Kafka and
// key vault): the account row a decision is taken on must be the state the account's stream folds to, versions
// must be the stream's. (What each use case stores or refuses is tested beside it, in `<use-case>/`.)
import { PERMISSIONS } from '@crm/auth';
import { fold, type EventStore } from '@crm/eventstore';
import { EVENT_STORE, StateRowsCatchUp } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { strongPassword, uniqueName } from '@crm/testing';
import { accountStream, AccountWriteModel } from './account.write-model.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountViews } from './account.views.js';
import { AssignRolesHandler } from './assign-roles/assign-roles.handler.js';
import { RegisterAccountHandler } from './register-account/register-account.handler.js';
import { ResetMfaHandler } from './reset-mfa/reset-mfa.handler.js';
import { ResetPasswordHandler } from './reset-password/reset-password.handler.js';
import { DisableAccountHandler } from './disable-account/disable-account.handler.js';
import { PASSWORD_HASHER } from '../identity.tokens.js';
import type { PasswordHasher } from '../passwords/index.js';
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
    await app().get(ResetMfaHandler).execute(registered.id, { id: 'system', permissions: PERMISSIONS }, 'corr-accounts-3');

    const recorded = await store.readStream(accountStream(registered.id));
    const folded = fold(model.decider, await Promise.all(recorded.map((event) => model.codec.decode(event.envelope))));
    const loaded = await withTransaction(app().get(AccountsRepository).pool, (tx) =>
      model.load(tx, { type: 'EnableAccount', userId: registered.id }, accountStream(registered.id)),
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
      model.load(tx, { type: 'EnableAccount', userId: registered.id }, accountStream(registered.id)),
    );
    expect(decoded.map((event) => event.type)).toEqual(['UserRegistered', 'PasswordChanged', 'PasswordReset']);
    expect(loaded).toEqual({ state: fold(model.decider, decoded), version: 3n });
    expect(loaded.state.passwordChangeRequired).toBe(true);
  });

  it('given rows older than the stream (a restore replayed events past the snapshot), when the service starts, then the public changes are applied and no password set after the snapshot, nor the older one, signs in', async () => {
    const accounts = app().get(AccountsRepository);
    const pool = accounts.pool;
    const password = strongPassword();
    const registered = await app()
      .get(RegisterAccountHandler)
      .execute({ email: `${uniqueName('staff')}@example.com`, displayName: 'Ada Byron', password, roles: ['sales'] }, 'system', 'corr-accounts-6');
    const snapshot = async (table: string) =>
      (await pool.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(t) AS row FROM identity.${table} t WHERE user_id = $1`, [registered.id])).rows[0]!
        .row;
    const rows = { accounts: await snapshot('accounts'), credentials: await snapshot('credentials') };
    // After the snapshot: an administrator's reset (a password the rows will not know), new roles, a disabling.
    const { oneTimePassword } = await app().get(ResetPasswordHandler).execute(registered.id, { id: 'system', permissions: PERMISSIONS }, 'corr-accounts-7');
    await app().get(AssignRolesHandler).execute(registered.id, ['support'], 'system', 'corr-accounts-8');
    await app().get(DisableAccountHandler).disable(registered.id, 'system', 'corr-accounts-9');
    // The snapshot's rows back, as a restore whose WAL ended before those writes leaves them, and the stream marked.
    for (const [table, row] of Object.entries(rows)) {
      const columns = Object.keys(row).join(', ');
      await pool.query(`UPDATE identity.${table} t SET (${columns}) = (SELECT ${columns} FROM json_populate_record(t, $1)) WHERE user_id = $2`, [
        JSON.stringify(row),
        registered.id,
      ]);
    }
    expect(await app().get(AccountViews).byId(registered.id)).toMatchObject({ roles: ['sales'] });
    await pool.query(`INSERT INTO identity.replayed_streams (stream_id, version, from_version) VALUES ($1, 4, 2)`, [accountStream(registered.id)]);

    await app().get(StateRowsCatchUp).onApplicationBootstrap();

    const view = await app().get(AccountViews).byId(registered.id);
    expect(view.roles).toEqual(['support']);
    expect(view.disabled).toBe(true);
    const hasher = app().get<PasswordHasher>(PASSWORD_HASHER);
    const stored = (await accounts.credentials(registered.id))!;
    expect(await hasher.verify(stored.password_hash, password)).toBe(false);
    expect(await hasher.verify(stored.password_hash, oneTimePassword)).toBe(false);
    expect(stored.password_change_required).toBe(true);
    expect((await pool.query(`SELECT 1 FROM identity.replayed_streams WHERE stream_id = $1`, [accountStream(registered.id)])).rowCount).toBe(0);
  });
});
