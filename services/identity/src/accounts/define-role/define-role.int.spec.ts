// Defining custom roles in the identity service as it boots (real Postgres, Redis, Kafka and key vault): the role's
// stream version is checked by the database, so of two concurrent creations of one name exactly one is stored.
import type { AppError } from '@crm/errors';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { uniqueName } from '@crm/testing';
import { DefineRoleHandler } from './define-role.handler.js';
import { bootIdentityForSuite } from '../../testing/identity-app.fixture.js';

const app = bootIdentityForSuite();

describe('defining a custom role', () => {
  it('given two concurrent creations of one custom role, then exactly one wins and the other is ROLE_EXISTS', async () => {
    const defineRole = app().get(DefineRoleHandler);
    const name = `role-${uniqueName('r').slice(-12).toLowerCase()}`.replace(/[^a-z0-9-]/g, '');

    const outcomes = await Promise.allSettled([
      defineRole.execute(name, ['contacts:read'], false, 'system', 'corr-role-1'),
      defineRole.execute(name, ['contacts:read'], false, 'system', 'corr-role-2'),
    ]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as AppError).code] : []))).toEqual(['ROLE_EXISTS']);
    expect(await app().get<EventStore>(EVENT_STORE).readStream(`role-${name}`)).toHaveLength(1);
  });
});
