import type { PlatformConfig } from '@crm/config';
import { createPool } from '@crm/postgres';

/** How long a spec may wait for the others holding the stanza (each runs for one to five minutes on two cores). */
export const STANZA_WAIT_MS = 900_000;

/**
 * For integration tests: the pgBackRest stanza for this spec alone, until the returned function is called. The specs
 * run side by side, and the ones that take snapshots and restore them share the platform's one stanza: a full backup
 * taken by another spec between two of this one's would become the base of its differential, and two backups at once
 * fail with SNAPSHOT_IN_PROGRESS. A Postgres advisory lock, held on a connection of its own for the spec's life, makes
 * them take turns; the lock goes with the connection if the spec's process dies.
 */
export async function holdStanza(config: PlatformConfig): Promise<() => Promise<void>> {
  const pool = createPool(config.postgres!, { max: 1 });
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('crm-tests:pgbackrest-stanza'))`);
  } catch (error) {
    client.release();
    await pool.end();
    throw error;
  }
  return async () => {
    try {
      await client.query(`SELECT pg_advisory_unlock(hashtext('crm-tests:pgbackrest-stanza'))`);
    } finally {
      client.release();
      await pool.end();
    }
  };
}
