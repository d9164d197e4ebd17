// Registering staff accounts in the identity service as it boots (real Postgres, Redis, Kafka and key vault): one
// account per e-mail address, found by its blind index (so regardless of case), whether the second registration
// comes later or at the same time.
import type { AppError } from '@crm/errors';
import { BLIND_INDEXER } from '@crm/platform';
import type { BlindIndexer } from '@crm/crypto';
import { strongPassword, uniqueName } from '@crm/testing';
import { EMAIL_INDEX } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { RegisterAccountHandler } from './register-account.handler.js';
import { bootIdentityForSuite } from '../../testing/identity-app.fixture.js';

const app = bootIdentityForSuite();

const request = (email: string) => ({ email, displayName: 'Katherine Johnson', password: strongPassword(), roles: ['sales'] });

async function accountsWithEmail(email: string): Promise<number> {
  const index = app().get<BlindIndexer<string>>(BLIND_INDEXER).blindIndex(EMAIL_INDEX, email);
  const { rows } = await app()
    .get(AccountsRepository)
    .pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity.accounts WHERE email_index = $1`, [index]);
  return rows[0]!.n;
}

describe('registering a staff account', () => {
  it('given an account, when the same e-mail address in other letter case is registered, then USER_EMAIL_TAKEN and one account remains', async () => {
    const email = `${uniqueName('staff')}@example.com`;
    await app().get(RegisterAccountHandler).execute(request(email), 'system', 'corr-register-1');

    const again = app().get(RegisterAccountHandler).execute(request(email.toUpperCase()), 'system', 'corr-register-2');

    await expect(again).rejects.toMatchObject({ code: 'USER_EMAIL_TAKEN' });
    expect(await accountsWithEmail(email)).toBe(1);
  });

  it('given two concurrent registrations of one e-mail address, then exactly one account is stored and the other is USER_EMAIL_TAKEN', async () => {
    const email = `${uniqueName('staff')}@example.com`;
    const register = app().get(RegisterAccountHandler);

    const outcomes = await Promise.allSettled([
      register.execute(request(email), 'system', 'corr-register-3'),
      register.execute(request(email), 'system', 'corr-register-4'),
    ]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as AppError).code] : []))).toEqual(['USER_EMAIL_TAKEN']);
    expect(await accountsWithEmail(email)).toBe(1);
  });
});
