import { expectEventually, testPlatformConfig, uniqueName } from '@crm/testing';
import { createPool, PostgresHealthCheck, withTransaction } from './index.js';

const config = testPlatformConfig();
const pool = createPool(config.postgres!, { max: 2 });

afterAll(() => pool.end());

describe('the local Postgres server', () => {
  it('given an idle pooled connection that the server ends, then the process survives and the next query gets a new connection', async () => {
    // No listener of the test's own: the pool createPool made must stand alone (an unheard 'error' would crash).
    const victim = createPool(config.postgres!, { max: 1, applicationName: uniqueName('it-victim') });
    try {
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;

      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      // The pool notices and discards the dead connection.
      await expectEventually(async () => expect(victim.totalCount).toBe(0));
      const { rows: after } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');

      expect(after[0]!.pid).not.toBe(pid);
    } finally {
      await victim.end();
    }
  });

  it('given a transaction whose connection the server ends mid-statement, then it fails retriably (57P01), the process survives and the pool opens a new connection', async () => {
    const victim = createPool(config.postgres!, { max: 1, applicationName: uniqueName('it-victim') });
    try {
      const pids: number[] = [];
      const failed = withTransaction(victim, async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        pids.push(rows[0]!.pid);
        await tx.query('SELECT pg_sleep(600)');
      });
      await expectEventually(async () => {
        const { rows } = await pool.query<{ ended: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%'`,
          [pids[0] ?? 0],
        );
        expect(rows).toEqual([{ ended: true }]);
      });

      await expect(failed).rejects.toMatchObject({ code: '57P01' });
      const next = await withTransaction(victim, async (tx) => (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      expect(next).not.toBe(pids[0]);
    } finally {
      await victim.end();
    }
  });

  it('answers the readiness check', async () => {
    await expect(new PostgresHealthCheck(pool).check()).resolves.toBeUndefined();
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
