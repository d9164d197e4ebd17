import { testPlatformConfig, uniqueName } from '@crm/testing';
import { createPool, PostgresHealthCheck } from './index.js';

const config = testPlatformConfig();
const pool = createPool(config.postgres!, { max: 2 });

afterAll(() => pool.end());

describe('the local Postgres server', () => {
  it('answers the readiness check', async () => {
    await expect(new PostgresHealthCheck(pool).check()).resolves.toBeUndefined();
  });

  it('has one database per service, owned by the platform role', async () => {
    const { rows } = await pool.query<{ datname: string; owner: string }>(
      `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ANY($1) ORDER BY datname`,
      [['audit', 'backup', 'consent', 'contacts', 'identity']],
    );
    expect(rows).toEqual(['audit', 'backup', 'consent', 'contacts', 'identity'].map((datname) => ({ datname, owner: config.postgres!.user })));
  });

  it('stores and reads back rows in a transaction, and rolls back on failure', async () => {
    const table = uniqueName('it_rows').replaceAll('-', '_');
    await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, payload bytea NOT NULL)`);
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${table} VALUES (1, $1)`, [Buffer.from('one')]);
        await client.query('COMMIT');
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${table} VALUES (2, $1)`, [Buffer.from('two')]);
        await expect(client.query(`INSERT INTO ${table} VALUES (2, $1)`, [Buffer.from('dup')])).rejects.toMatchObject({ code: '23505' });
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      const { rows } = await pool.query<{ id: number; payload: Buffer }>(`SELECT id, payload FROM ${table} ORDER BY id`);
      expect(rows.map((row) => [row.id, row.payload.toString()])).toEqual([[1, 'one']]);
    } finally {
      await pool.query(`DROP TABLE ${table}`);
    }
  });

  it('refuses a wrong password', async () => {
    const { Secret } = await import('@crm/config');
    const wrong = createPool({ ...config.postgres!, password: new Secret('not-the-password') }, { max: 1 });
    await expect(wrong.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    await wrong.end();
  });
});
