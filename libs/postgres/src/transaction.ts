import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. A connection
 * the server ends mid-transaction (a restart, an administrator's `pg_terminate_backend`) fails the statement in flight
 * (SQLSTATE 57P01, retriable) and then reports the lost socket as the client's 'error' event: the pool listens only
 * to idle clients, so unheard here that event would crash the process. The broken client is discarded on release.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}
