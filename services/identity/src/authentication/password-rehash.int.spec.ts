// Hashing parameters raised after a password was stored (real Postgres, Redis, Kafka and key vault): the next
// successful sign-in stores the same password under the new parameters, leaving its change date alone.
import { strongPassword, uniqueName } from '@crm/testing';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { RegisterAccountHandler } from '../accounts/register-account/register-account.handler.js';
import { PASSWORD_HASHER } from '../identity.tokens.js';
import { PasswordHasher } from '../passwords/index.js';
import { bootIdentityForSuite } from '../testing/identity-app.fixture.js';
import { AuthenticationService } from './authentication.service.js';

const app = bootIdentityForSuite();

async function stored(userId: string): Promise<{ password_hash: string; password_changed_at: Date }> {
  const { rows } = await app()
    .get(AccountsRepository)
    .pool.query<{ password_hash: string; password_changed_at: Date }>(
      `SELECT password_hash, password_changed_at FROM identity.credentials WHERE user_id = $1`,
      [userId],
    );
  return rows[0]!;
}

describe('signing in with a hash made under older parameters', () => {
  it('given a hash of other Argon2 parameters, when the password signs in, then the hash is upgraded to the current ones', async () => {
    const email = `${uniqueName('rehash')}@example.com`;
    const password = strongPassword();
    const { id: userId } = await app()
      .get(RegisterAccountHandler)
      .execute({ email, displayName: 'Ada Lovelace', password, roles: ['sales'] }, 'system', 'corr-rehash');
    const current = app().get<PasswordHasher>(PASSWORD_HASHER);
    const older = new PasswordHasher({ memoryCost: current.settings.memoryCost * 2, timeCost: 1, parallelism: 1 });
    const oldHash = await older.hash(password);
    await app().get(AccountsRepository).pool.query(`UPDATE identity.credentials SET password_hash = $2 WHERE user_id = $1`, [userId, oldHash]);
    const before = await stored(userId);
    expect(current.needsRehash(before.password_hash)).toBe(true);

    await app().get(AuthenticationService).login(email, password, '203.0.113.7', 'corr-rehash');

    const after = await stored(userId);
    expect(after.password_hash).not.toBe(oldHash);
    expect(current.needsRehash(after.password_hash)).toBe(false);
    expect(await current.verify(after.password_hash, password)).toBe(true);
    expect(after.password_changed_at).toEqual(before.password_changed_at);
  });

  it('given a hash of the current parameters, when the password signs in, then the hash is left as it is', async () => {
    const email = `${uniqueName('rehash')}@example.com`;
    const password = strongPassword();
    const { id: userId } = await app()
      .get(RegisterAccountHandler)
      .execute({ email, displayName: 'Ada Lovelace', password, roles: ['sales'] }, 'system', 'corr-rehash');
    const before = await stored(userId);

    await app().get(AuthenticationService).login(email, password, '203.0.113.7', 'corr-rehash');

    expect((await stored(userId)).password_hash).toBe(before.password_hash);
  });
});
