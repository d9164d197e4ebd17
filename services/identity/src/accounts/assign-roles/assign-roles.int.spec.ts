// Assigning roles in the identity service as it boots (real Postgres, Redis, Kafka and key vault): a change to an
// unknown account is refused by the decision and stores nothing.
import { AppError } from '@crm/errors';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { accountStream } from '../account.write-model.js';
import { AssignRolesHandler } from './assign-roles.handler.js';
import { bootIdentityForSuite } from '../../testing/identity-app.fixture.js';

const app = bootIdentityForSuite();

describe('assigning roles', () => {
  it('given an unknown account, when roles are assigned, then USER_NOT_FOUND and no stream is written', async () => {
    const store = app().get<EventStore>(EVENT_STORE);
    const unknown = '0190f3a4-2222-7000-8000-00000000abcd';

    const attempt = app().get(AssignRolesHandler).execute(unknown, ['sales'], 'system', 'corr-accounts-4');

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await store.readStream(accountStream(unknown))).toEqual([]);
  });
});
