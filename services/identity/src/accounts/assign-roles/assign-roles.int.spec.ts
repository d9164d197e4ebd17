// Assigning roles in the identity service as it boots (real Postgres, Redis, Kafka and key vault): a change to an
// unknown account is refused by the decision and stores nothing.
import type { INestApplication } from '@nestjs/common';
import { AppError } from '@crm/errors';
import type { EventStore } from '@crm/eventstore';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp, EVENT_STORE } from '@crm/platform';
import { testPlatformConfig } from '@crm/testing';
import { databaseMigrations } from '../../migrations.js';
import { serviceDefinition } from '../../service.definition.js';
import { accountStream } from '../account.write-model.js';
import { AssignRolesHandler } from './assign-roles.handler.js';

let app: INestApplication;

beforeAll(async () => {
  const config = testPlatformConfig('identity');
  await migrateAll(config.postgres!, databaseMigrations(config));
  app = await createServiceApp(serviceDefinition, config, createLogger({ service: 'identity', level: 'silent' }));
  await app.init();
}, 60_000);
afterAll(() => app.close());

describe('assigning roles', () => {
  it('given an unknown account, when roles are assigned, then USER_NOT_FOUND and no stream is written', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const unknown = '0190f3a4-2222-7000-8000-00000000abcd';

    const attempt = app.get(AssignRolesHandler).execute(unknown, ['sales'], 'system', 'corr-accounts-4');

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await store.readStream(accountStream(unknown))).toEqual([]);
  });
});
