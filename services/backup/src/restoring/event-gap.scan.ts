import type { PostgresSettings } from '@crm/config';
import { dateFromTimestamp, EventEnvelopeSchema, fromBinary } from '@crm/contracts';
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
  /** Written after the restore point and replayed from the backup cluster into the restored store. */
  replayed: number;
  /**
   * On the backup but not in the restored store after the replay: written after --until, or not replayable (its
   * stream's earlier version is missing, another event holds its version, or its envelope is unreadable).
   */
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

/** Replaying events past the restore point: only those that happened at or before `until` (all when undefined). */
export interface ReplayOptions {
  until?: Date;
}

/**
 * Reads every event topic of the backup cluster to its end and checks each event id against the restored store,
 * batch by batch: what the restore holds, what it lacks (written after the restore point), and the newest moment on
 * each side — the RPO is the distance between them. With `replay`, each event the store lacks is written into it
 * (below), so the restore holds what the mirror copied, not only what the archived WAL held.
 */
export async function scanEventGap(
  backup: KafkaCluster,
  restored: (database: string) => PostgresSettings,
  options: { groupId: string; timeoutMs: number; stores?: readonly EventStoreLocation[]; onProgress?: (records: number) => void; replay?: ReplayOptions },
): Promise<GapReport> {
  const existing = new Set(await backup.listTopics());
  const report: GapReport = { stores: [], newestOnBackup: undefined, newestRestored: undefined, records: 0 };
  for (const location of options.stores ?? EVENT_STORES) {
    const pool = createPool(restored(location.database), { max: MAX_IN_FLIGHT, applicationName: 'crm-restore' });
    try {
      const gap: StoreGap = { topic: location.topic, onBackup: 0, restored: 0, replayed: 0, missing: 0, inStore: 0 };
      // Checks run beside the reading (a few in flight), so the database round trips do not stall the consumer; a
      // replay writes in the topic's order, one batch at a time (a stream's versions must go in one after another).
      let batch: IncomingMessage[] = [];
      const inFlight: Array<Promise<void>> = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const messages = batch;
        batch = [];
        const checked =
          options.replay === undefined
            ? countKnown(
                pool,
                location.schema,
                messages.map((message) => message.headers['event-id']!),
              ).then((found) => {
                gap.restored += found;
                gap.missing += messages.length - found;
              })
            : replayBatch(pool, location.schema, messages, options.replay).then((outcome) => {
                gap.restored += outcome.held;
                gap.replayed += outcome.replayed;
                gap.missing += messages.length - outcome.held - outcome.replayed;
              });
        inFlight.push(checked);
        if (inFlight.length >= (options.replay === undefined ? MAX_IN_FLIGHT : 1)) await inFlight.shift();
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
            batch.push(message);
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
      // Counted after the replay: what the restored store holds now, and its newest event.
      const { rows } = await pool.query<{ n: string; newest: Date | null }>(
        `SELECT count(*)::text AS n, max(recorded_at) AS newest FROM ${location.schema}.events`,
      );
      gap.inStore = Number(rows[0]!.n);
      report.newestRestored = later(report.newestRestored, rows[0]!.newest ?? undefined);
      report.stores.push(gap);
    } finally {
      await pool.end();
    }
  }
  return report;
}

/**
 * Writes into the restored store the events of a batch it does not hold, as the service appended them: the record's
 * value is the stored envelope itself (the outbox publishes it unchanged), so the row is rebuilt from it byte for byte
 * (`recorded_at` is the record's time on Kafka, the moment the relay published it). An event goes in only when its
 * stream holds exactly the version before it, so a stream is never left with a hole; nothing goes to the outbox (the
 * event is already on Kafka). The `events` table refuses changes but not inserts: the history only grows.
 */
async function replayBatch(
  pool: Pool,
  schema: string,
  messages: readonly IncomingMessage[],
  replay: ReplayOptions,
): Promise<{ held: number; replayed: number }> {
  const ids = messages.map((message) => message.headers['event-id']!);
  const { rows: known } = await pool.query<{ id: string }>(`SELECT event_id::text AS id FROM ${schema}.events WHERE event_id = ANY($1::uuid[])`, [ids]);
  const held = new Set(known.map((row) => row.id.toLowerCase()));
  const candidates: Array<{ message: IncomingMessage; envelope: ReplayedEnvelope }> = [];
  for (const message of messages) {
    if (held.has(message.headers['event-id']!.toLowerCase())) continue;
    const envelope = decode(message.value);
    if (envelope === undefined || envelope.eventId.toLowerCase() !== message.headers['event-id']!.toLowerCase()) continue;
    if (replay.until !== undefined && envelope.occurredAt.getTime() > replay.until.getTime()) continue;
    candidates.push({ message, envelope });
  }
  const heldMessages = messages.filter((message) => held.has(message.headers['event-id']!.toLowerCase())).length;
  if (candidates.length === 0) return { held: heldMessages, replayed: 0 };
  const streams = [...new Set(candidates.map((candidate) => candidate.envelope.streamId))];
  const { rows: versions } = await pool.query<{ stream_id: string; version: string }>(
    `SELECT stream_id, max(stream_version)::text AS version FROM ${schema}.events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
    [streams],
  );
  const at = new Map(versions.map((row) => [row.stream_id, BigInt(row.version)]));
  const rows = candidates.filter(({ envelope }) => {
    const current = at.get(envelope.streamId) ?? 0n;
    if (envelope.streamVersion !== current + 1n) return false;
    at.set(envelope.streamId, envelope.streamVersion);
    return true;
  });
  // With the events, their streams are marked (`replayed_streams`): the state rows a service keeps beside them are the
  // snapshot's, and the service refolds them from these events at its next start (catchUpReplayedStreams).
  const { rows: inserted } = await pool.query<{ n: number }>(
    `WITH inserted AS (
       INSERT INTO ${schema}.events (event_id, stream_id, stream_version, event_type, subject_id, occurred_at, recorded_at, envelope)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bytea[])
       ON CONFLICT DO NOTHING
       RETURNING stream_id, stream_version
     ),
     marked AS (
       INSERT INTO ${schema}.replayed_streams (stream_id, version, from_version)
       SELECT stream_id, max(stream_version), min(stream_version) FROM inserted GROUP BY stream_id
       ON CONFLICT (stream_id) DO UPDATE SET version = GREATEST(replayed_streams.version, EXCLUDED.version),
         from_version = LEAST(replayed_streams.from_version, EXCLUDED.from_version), replayed_at = now()
     )
     SELECT count(*)::int AS n FROM inserted`,
    [
      rows.map(({ envelope }) => envelope.eventId),
      rows.map(({ envelope }) => envelope.streamId),
      rows.map(({ envelope }) => envelope.streamVersion.toString()),
      rows.map(({ envelope }) => envelope.eventType),
      rows.map(({ envelope }) => (envelope.subjectId === '' ? null : envelope.subjectId)),
      rows.map(({ envelope }) => envelope.occurredAt),
      rows.map(({ message, envelope }) => (message.timestamp === undefined ? envelope.occurredAt : new Date(Number(message.timestamp)))),
      rows.map(({ message }) => message.value),
    ],
  );
  return { held: heldMessages, replayed: inserted[0]?.n ?? 0 };
}

/** What a row of the store needs from an envelope. */
interface ReplayedEnvelope {
  eventId: string;
  eventType: string;
  streamId: string;
  streamVersion: bigint;
  subjectId: string;
  occurredAt: Date;
}

function decode(value: Buffer): ReplayedEnvelope | undefined {
  try {
    const envelope = fromBinary(EventEnvelopeSchema, value);
    if (envelope.occurredAt === undefined || envelope.streamId === '' || envelope.streamVersion < 1n) return undefined;
    return {
      eventId: envelope.eventId,
      eventType: envelope.eventType,
      streamId: envelope.streamId,
      streamVersion: envelope.streamVersion,
      subjectId: envelope.subjectId,
      occurredAt: dateFromTimestamp(envelope.occurredAt),
    };
  } catch {
    return undefined;
  }
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
