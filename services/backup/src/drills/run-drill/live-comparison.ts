import type { PostgresSettings } from '@crm/config';
import { createPool, type Pool } from '@crm/postgres';
import type { EventStoreLocation } from '../../restoring/event-gap.scan.js';

type Settings = (database: string) => PostgresSettings;

async function withPool<T>(settings: PostgresSettings, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(settings, { max: 1, applicationName: 'crm-drill' });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

export interface StreamComparison {
  streamsCompared: number;
  /** Restored streams that are not, event for event and byte for byte, the beginning of the live stream. */
  streamsDiffering: number;
  /** Events live holds beyond the restored ones (written after the restore point). */
  liveEventsNewer: number;
}

/**
 * Compares every restored event stream with live: its event count and a hash over its envelopes in version order
 * must equal those of the live stream's first versions (a stream is append-only, so the restored one is a prefix).
 */
export async function compareEventStreams(restored: Settings, live: Settings, stores: readonly EventStoreLocation[]): Promise<StreamComparison> {
  const result: StreamComparison = { streamsCompared: 0, streamsDiffering: 0, liveEventsNewer: 0 };
  for (const store of stores) {
    const events = `${store.schema}.events`;
    const copy = await withPool(
      restored(store.database),
      async (pool) =>
        (
          await pool.query<{ id: string; v: string; n: string; h: string }>(
            `SELECT stream_id AS id, max(stream_version)::text AS v, count(*)::text AS n, md5(string_agg(md5(envelope), '' ORDER BY stream_version)) AS h
             FROM ${events} GROUP BY stream_id`,
          )
        ).rows,
    );
    const { rows: original, total } = await withPool(live(store.database), async (pool) => {
      const compared = await pool.query<{ id: string; n: string; h: string }>(
        `SELECT e.stream_id AS id, count(*)::text AS n, md5(string_agg(md5(e.envelope), '' ORDER BY e.stream_version)) AS h
           FROM ${events} e JOIN unnest($1::text[], $2::bigint[]) AS r(id, v) ON e.stream_id = r.id AND e.stream_version <= r.v
          GROUP BY e.stream_id`,
        [copy.map((row) => row.id), copy.map((row) => row.v)],
      );
      const count = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${events}`);
      return { rows: compared.rows, total: Number(count.rows[0]!.n) };
    });
    const liveById = new Map(original.map((row) => [row.id, row]));
    result.streamsCompared += copy.length;
    result.streamsDiffering += copy.filter((row) => liveById.get(row.id)?.n !== row.n || liveById.get(row.id)?.h !== row.h).length;
    result.liveEventsNewer += Math.max(0, total - copy.reduce((sum, row) => sum + Number(row.n), 0));
  }
  return result;
}

/** Of the subjects erased (live's erasure ledger and the backup's announcements), how many still have a key in the copy. */
export async function erasedSubjectsReadable(
  restoredVault: PostgresSettings,
  liveVault: PostgresSettings,
  announced: ReadonlySet<string>,
): Promise<{ checked: number; readable: number }> {
  const ledger = await withPool(liveVault, async (pool) => (await pool.query<{ subject_id: string }>('SELECT subject_id FROM erasure_ledger')).rows);
  const subjects = [...new Set([...announced, ...ledger.map((row) => row.subject_id)])];
  const readable = await withPool(restoredVault, async (pool) => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(DISTINCT subject_id)::text AS n FROM data_keys WHERE subject_id = ANY($1::text[])', [
      subjects,
    ]);
    return Number(rows[0]!.n);
  });
  return { checked: subjects.length, readable };
}

const NOT_READ_MODELS = new Set(['events', 'outbox', 'crm_migrations']);

/**
 * Hashes every row of every other table of each store's schema (the read models and state rows) in the copy and in
 * live. They agree when nothing was written since the restore point and the projections had caught up; otherwise
 * the tables that differ are named, for the operator to judge (live moved on).
 */
export async function compareReadModels(
  restored: Settings,
  live: Settings,
  stores: readonly EventStoreLocation[],
): Promise<{ equal: number; differing: string[] }> {
  const result = { equal: 0, differing: [] as string[] };
  for (const store of stores) {
    const checksums = (settings: PostgresSettings) =>
      withPool(settings, async (pool) => {
        const tables = await pool.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
          [store.schema],
        );
        const sums = new Map<string, string>();
        for (const { name } of tables.rows.filter((table) => !NOT_READ_MODELS.has(table.name))) {
          const { rows } = await pool.query<{ h: string }>(
            `SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS h FROM ${store.schema}."${name.replaceAll('"', '""')}" t`,
          );
          sums.set(name, rows[0]!.h);
        }
        return sums;
      });
    const [copy, original] = [await checksums(restored(store.database)), await checksums(live(store.database))];
    for (const [table, sum] of copy) {
      if (original.get(table) === sum) result.equal += 1;
      else result.differing.push(`${store.schema}.${table}`);
    }
  }
  return result;
}
