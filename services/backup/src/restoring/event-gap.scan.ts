import type { PostgresSettings } from '@crm/config';
import type { KafkaCluster, IncomingMessage } from '@crm/messaging';
import { createPool, type Pool } from '@crm/postgres';

/** A service's event store and the topic its outbox publishes to (the stores a restore brings back). */
export interface EventStoreLocation {
  database: string;
  schema: string;
  topic: string;
}

/** The platform's event stores (each service's `<schema>.events`, published by its outbox to its topic). */
export const EVENT_STORES: readonly EventStoreLocation[] = [
  { database: 'identity', schema: 'identity', topic: 'crm.identity.v1.events' },
  { database: 'contacts', schema: 'contacts', topic: 'crm.contacts.v1.events' },
  { database: 'consent', schema: 'consent', topic: 'crm.consent.v1.events' },
  { database: 'audit', schema: 'audit', topic: 'crm.audit.v1.events' },
];

export interface StoreGap {
  topic: string;
  /** Events of the topic on the backup cluster (records with an event id: what the services' outboxes publish). */
  onBackup: number;
  /** Of those, the ones the restored store holds. */
  restored: number;
  /** On the backup but not in the restored store: written after the restore point. */
  missing: number;
  /** Events in the restored store (the backup cluster may not have the newest ones yet). */
  inStore: number;
}

export interface GapReport {
  stores: StoreGap[];
  /** The newest record on the backup's event topics (its producer timestamp): the newest write the backup knows. */
  newestOnBackup: Date | undefined;
  /** The newest event the restored stores hold (its recording time). */
  newestRestored: Date | undefined;
  /** Records read from the backup cluster. */
  records: number;
}

const BATCH = 2_000;
const MAX_IN_FLIGHT = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads every event topic of the backup cluster to its end and checks each event id against the restored store,
 * batch by batch: what the restore holds, what it lacks (written after the restore point), and the newest moment on
 * each side — the RPO is the distance between them.
 */
export async function scanEventGap(
  backup: KafkaCluster,
  restored: (database: string) => PostgresSettings,
  options: { groupId: string; timeoutMs: number; stores?: readonly EventStoreLocation[]; onProgress?: (records: number) => void },
): Promise<GapReport> {
  const existing = new Set(await backup.listTopics());
  const report: GapReport = { stores: [], newestOnBackup: undefined, newestRestored: undefined, records: 0 };
  for (const location of options.stores ?? EVENT_STORES) {
    const pool = createPool(restored(location.database), { max: MAX_IN_FLIGHT, applicationName: 'crm-restore' });
    try {
      const gap: StoreGap = { topic: location.topic, onBackup: 0, restored: 0, missing: 0, inStore: 0 };
      const { rows } = await pool.query<{ n: string; newest: Date | null }>(
        `SELECT count(*)::text AS n, max(recorded_at) AS newest FROM ${location.schema}.events`,
      );
      gap.inStore = Number(rows[0]!.n);
      report.newestRestored = later(report.newestRestored, rows[0]!.newest ?? undefined);
      // Checks run beside the reading (a few in flight), so the database round trips do not stall the consumer.
      let batch: string[] = [];
      const inFlight: Array<Promise<void>> = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const ids = batch;
        batch = [];
        inFlight.push(
          countKnown(pool, location.schema, ids).then((found) => {
            gap.restored += found;
            gap.missing += ids.length - found;
          }),
        );
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      };
      if (existing.has(location.topic)) {
        await backup.readToEnd(
          [location.topic],
          async (message: IncomingMessage) => {
            report.records += 1;
            // A record without an event id is no service's event (a forgery or garbage the consumers dead-lettered):
            // it is not missing from any store, and its time says nothing of the RPO.
            const id = message.headers['event-id'];
            if (id === undefined || !UUID.test(id)) return;
            gap.onBackup += 1;
            if (message.timestamp !== undefined) report.newestOnBackup = later(report.newestOnBackup, new Date(Number(message.timestamp)));
            batch.push(id);
            if (batch.length >= BATCH) {
              await flush();
              options.onProgress?.(report.records);
            }
          },
          options,
        );
        await flush();
        await Promise.all(inFlight);
        options.onProgress?.(report.records);
      }
      report.stores.push(gap);
    } finally {
      await pool.end();
    }
  }
  return report;
}

async function countKnown(pool: Pool, schema: string, ids: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${schema}.events WHERE event_id = ANY($1::uuid[])`, [ids]);
  return Number(rows[0]!.n);
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
