// Accounts registered before the first-sign-in rule (issue 15, item 7) kept a password an administrator, or the first
// start, chose: the migration `IdentityCredentialsPasswordNeverChangedByHolder…` asks every such account to change it
// at its next sign-in, and leaves alone those whose holder has changed it since. On a scratch copy of identity's schema
// (real Postgres), migrated up to the migration before, holding accounts as they were stored then.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migrateScratchSchema, scratchSchema } from '@crm/testing';
import { identityMigrations } from '../migrations.js';

const MIGRATION = 'IdentityCredentialsPasswordNeverChangedByHolder1796947200000';
const before = identityMigrations.filter((migration) => migration.name !== MIGRATION);

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  expect(identityMigrations.map((migration) => migration.name)).toContain(MIGRATION);
  ({ pool, schema, drop } = await scratchSchema('identity_never_changed', before));
});
afterAll(() => drop());

/** An account as stored before the rule (flag false unless given), with the events of its stream, in order. */
async function storedAccount(events: string[], changeRequired = false): Promise<string> {
  const userId = randomUUID();
  await pool.query(`INSERT INTO "${schema}".accounts (user_id, email_index, email_sealed, name_sealed, roles) VALUES ($1, $2, '\\x00', '\\x00', '{sales}')`, [
    userId,
    `index-${userId}`,
  ]);
  await pool.query(
    `INSERT INTO "${schema}".credentials (user_id, password_hash, password_changed_at, password_change_required) VALUES ($1, 'hash', now(), $2)`,
    [userId, changeRequired],
  );
  for (const [index, type] of events.entries()) {
    await pool.query(
      `INSERT INTO "${schema}".events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, envelope) VALUES ($1, $2, $3, $4, $5, now(), '\\x00')`,
      [randomUUID(), `user-${userId}`, index + 1, `crm.identity.v1.${type}`, userId],
    );
  }
  return userId;
}

const changeRequired = async (userId: string): Promise<boolean> =>
  (await pool.query<{ required: boolean }>(`SELECT password_change_required AS required FROM "${schema}".credentials WHERE user_id = $1`, [userId])).rows[0]!
    .required;

describe('accounts whose password was set by someone else before the first-sign-in rule', () => {
  it('given accounts stored before the rule, when the migration runs, then those whose holder never changed the password must change it at the next sign-in, the others need not', async () => {
    const neverChanged = await storedAccount(['UserRegistered', 'RolesAssigned', 'MfaEnrolled']);
    const changedByHolder = await storedAccount(['UserRegistered', 'PasswordChanged', 'RolesAssigned']);
    const resetAfterChange = await storedAccount(['UserRegistered', 'PasswordChanged', 'PasswordReset']);
    const changedAfterReset = await storedAccount(['UserRegistered', 'PasswordReset', 'PasswordChanged']);
    const alreadyRequired = await storedAccount(['UserRegistered'], true);
    const withoutEvents = await storedAccount([]);

    expect(await migrateScratchSchema(schema, identityMigrations)).toEqual([MIGRATION]);

    expect({
      neverChanged: await changeRequired(neverChanged),
      changedByHolder: await changeRequired(changedByHolder),
      resetAfterChange: await changeRequired(resetAfterChange),
      changedAfterReset: await changeRequired(changedAfterReset),
      alreadyRequired: await changeRequired(alreadyRequired),
      withoutEvents: await changeRequired(withoutEvents),
    }).toEqual({
      neverChanged: true,
      changedByHolder: false,
      resetAfterChange: true,
      changedAfterReset: false,
      alreadyRequired: true,
      withoutEvents: true,
    });
    // Applied once: a second run finds nothing pending.
    expect(await migrateScratchSchema(schema, identityMigrations)).toEqual([]);
  });
});
