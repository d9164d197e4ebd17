import pg from 'pg';
import { testPlatformConfig, uniqueName } from './test-env.js';

/** A pool on the test database plus a schema of its own, dropped at the end, so tests never see each other's rows. */
export async function scratchSchema(prefix: string): Promise<{ pool: pg.Pool; schema: string; drop: () => Promise<void> }> {
  const settings = testPlatformConfig().postgres!;
  const pool = new pg.Pool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password.reveal(),
    database: settings.database,
    max: 8,
  });
  const schema = uniqueName(prefix).replaceAll('-', '_').toLowerCase();
  await pool.query(`CREATE SCHEMA "${schema}"`);
  return {
    pool,
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
