// Least privilege below the services (issue 15 item 8, docs/security.md): each service's Postgres role reaches its own
// database only. Runs against the platform's cluster as deploy/local/infra.sh made it, with the roles' generated
// passwords from the state directory's secrets.
import { readFileSync } from 'node:fs';
import { postgresPasswordFile, Secret, serviceRole, type PostgresSettings } from '@crm/config';
import { testEnv, testPlatformConfig } from '@crm/testing';
import { createPool } from './index.js';

const admin = testPlatformConfig().postgres!;
const stateDir = testEnv().CRM_STATE_DIR!;
const SERVICES = ['identity', 'contacts', 'consent', 'audit', 'backup'] as const;
const DATABASES = ['identity', 'contacts', 'consent', 'audit', 'backup', 'keyvault', 'crm_test', 'postgres'] as const;
const KEY_VAULT_USERS = new Set(['identity', 'contacts', 'consent']);

function settingsOf(service: string, database: string): PostgresSettings {
  const role = serviceRole(service);
  return { ...admin, user: role, password: new Secret(readFileSync(postgresPasswordFile(stateDir, role), 'utf8').trim()), database };
}

/** The SQLSTATE of connecting and running `SELECT 1`, or 'ok'. */
async function connectAs(service: string, database: string): Promise<string> {
  const pool = createPool(settingsOf(service, database), { max: 1, applicationName: 'it-least-privilege' });
  try {
    await pool.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'failed';
  } finally {
    await pool.end();
  }
}

describe("a service's Postgres role", () => {
  const cases = SERVICES.flatMap((service) =>
    DATABASES.map((database) => ({
      service,
      database,
      expected: database === service || (database === 'keyvault' && KEY_VAULT_USERS.has(service)) ? 'ok' : '42501',
    })),
  );

  it.each(cases)('crm_$service connecting to database $database: $expected', async ({ service, database, expected }) => {
    expect(await connectAs(service, database)).toBe(expected);
  });

  it('owns its own database and nothing in any other', async () => {
    const pool = createPool({ ...admin, database: 'postgres' }, { max: 1 });
    try {
      const { rows } = await pool.query<{ datname: string; owner: string }>(
        `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY($1::text[]) ORDER BY datname`,
        [[...SERVICES, 'keyvault']],
      );
      expect(Object.fromEntries(rows.map((row) => [row.datname, row.owner]))).toEqual({
        identity: 'crm_identity',
        contacts: 'crm_contacts',
        consent: 'crm_consent',
        audit: 'crm_audit_owner',
        backup: 'crm_backup',
        keyvault: 'crm_keyvault',
      });
    } finally {
      await pool.end();
    }
  });

  it('may use the key vault’s rows but not change its schema or drop the erasure ledger’s append-only triggers', async () => {
    const pool = createPool(settingsOf('contacts', 'keyvault'), { max: 1 });
    try {
      // Reads its rows: one count row back (a refusal would reject with 42501).
      expect((await pool.query<{ count: string }>('SELECT count(*) FROM erasure_ledger')).rows).toEqual([{ count: expect.stringMatching(/^\d+$/) }]);
      const { rows } = await pool.query<{ tgname: string }>(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'erasure_ledger'::regclass AND NOT tgisinternal`);
      expect(rows.length).toBeGreaterThan(0);
      for (const { tgname } of rows) {
        await expect(pool.query(`DROP TRIGGER "${tgname}" ON erasure_ledger`)).rejects.toMatchObject({ code: '42501' });
      }
      await expect(pool.query('ALTER TABLE erasure_ledger DISABLE TRIGGER ALL')).rejects.toMatchObject({ code: '42501' });
      await expect(pool.query('CREATE TABLE intruder (id int)')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await pool.end();
    }
  });
});
