// Staff accounts through the one write path, in the identity service as it boots (real Postgres, Redis, Kafka and
// key vault): the account row a decision is taken on must be the state the account's stream folds to, versions
// must be the stream's, and a change to an unknown account must store nothing.
import type { INestApplication } from '@nestjs/common';
import { AppError } from '@crm/errors';
import { fold, type EventStore } from '@crm/eventstore';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp, EVENT_STORE } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { strongPassword, testPlatformConfig, uniqueName } from '@crm/testing';
import { databaseMigrations } from '../migrations.js';
import { serviceDefinition } from '../service.definition.js';
import { accountStream, AccountWriteModel } from './account.write-model.js';
import { AccountsService } from './accounts.service.js';
import { AccountsRepository } from './accounts.repository.js';

let app: INestApplication;

beforeAll(async () => {
  const config = testPlatformConfig('identity');
  // The test database's identity schema and the key vault, migrated as `npm run migrate` migrates the real ones.
  await migrateAll(config.postgres!, databaseMigrations(config));
  app = await createServiceApp(serviceDefinition, config, createLogger({ service: 'identity', level: 'silent' }));
  await app.init();
}, 60_000);
afterAll(() => app.close());

describe('staff accounts through the command pipeline', () => {
  it('given a registered account whose roles and second factor changed, then its row is the fold of its stream, at the stream version', async () => {
    const accounts = app.get(AccountsService);
    const model = app.get(AccountWriteModel);
    const store = app.get<EventStore>(EVENT_STORE);
    const registered = await accounts.register(
      { email: `${uniqueName('staff')}@example.com`, displayName: 'Grace Hopper', password: strongPassword(), roles: ['sales'] },
      'system',
      'corr-accounts-1',
    );

    await accounts.assignRoles(registered.id, ['support', 'analyst'], 'system', 'corr-accounts-2');
    await accounts.resetMfa(registered.id, 'system', 'corr-accounts-3');

    const recorded = await store.readStream(accountStream(registered.id));
    const folded = fold(model.decider, await Promise.all(recorded.map((event) => model.codec.decode(event.envelope))));
    const loaded = await withTransaction(app.get(AccountsRepository).pool, (tx) =>
      model.load(tx, { type: 'ResetMfa', userId: registered.id }, accountStream(registered.id)),
    );
    expect(recorded.map((event) => event.envelope.eventType)).toEqual([
      'crm.identity.v1.UserRegistered',
      'crm.identity.v1.RolesAssigned',
      'crm.identity.v1.MfaReset',
    ]);
    expect(loaded).toEqual({ state: folded, version: 3n });
    expect(folded).toEqual({ status: 'active', roles: ['support', 'analyst'], mfaEnrolled: false });
    expect(await accounts.get(registered.id)).toMatchObject({
      email: registered.email,
      displayName: 'Grace Hopper',
      roles: ['support', 'analyst'],
      createdAt: registered.createdAt,
    });
  });

  it('given an unknown account, when roles are assigned, then USER_NOT_FOUND and no stream is written', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const unknown = '0190f3a4-2222-7000-8000-00000000abcd';

    const attempt = app.get(AccountsService).assignRoles(unknown, ['sales'], 'system', 'corr-accounts-4');

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await store.readStream(accountStream(unknown))).toEqual([]);
  });

  it('given two concurrent creations of one custom role, then exactly one wins and the other is ROLE_EXISTS', async () => {
    const accounts = app.get(AccountsService);
    const name = `role-${uniqueName('r').slice(-12).toLowerCase()}`.replace(/[^a-z0-9-]/g, '');

    const outcomes = await Promise.allSettled([
      accounts.createRole(name, ['contacts:read'], false, 'system', 'corr-role-1'),
      accounts.createRole(name, ['contacts:read'], false, 'system', 'corr-role-2'),
    ]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as AppError).code] : []))).toEqual(['ROLE_EXISTS']);
    expect(await app.get<EventStore>(EVENT_STORE).readStream(`role-${name}`)).toHaveLength(1);
  });
});
