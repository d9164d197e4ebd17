import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` on one connection checked out of the pool. A connection the server ends while it is checked out (a
 * restart, an administrator's `pg_terminate_backend`) fails the statement in flight (SQLSTATE 57P01, retriable) and
 * then reports the lost socket as the client's 'error' event: the pool listens only to idle clients, so unheard here
 * that event would crash the process. The broken client is discarded on release, never handed out again.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}

/**
 * Runs `work` in one transaction on one connection (`withClient`): COMMIT when it resolves, ROLLBACK when it throws.
 * `isolation` opens it at another level than READ COMMITTED (a consistent read of several tables, say).
 */
export function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, isolation?: 'REPEATABLE READ READ ONLY'): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query(isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation}`);
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
