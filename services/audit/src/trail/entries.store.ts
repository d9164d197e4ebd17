import type { Pool, PoolClient, QueryResult } from 'pg';
import { quoteIdent } from '@crm/eventstore';
import type { AuditEntry, StoredAuditEntry } from './audit-entry.model.js';

/**
 * Numbers leave Postgres as text: pg would round a bigint through a JS number silently. Queries alias the table
 * `e` and order by `e.leaf_index`: an unqualified ORDER BY would bind to the text output column and sort '10'
 * before '2'.
 */
export const ENTRY_COLUMNS = `leaf_index::text, event_id, occurred_at, recorded_at, actor_id, actor_type, action, subject_id, fields, purpose,
  legal_basis, correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset::text, leaf_hash`;

export interface EntryRow {
  leaf_index: string;
  event_id: string;
  occurred_at: Date;
  recorded_at: Date;
  actor_id: string;
  actor_type: string;
  action: string;
  subject_id: string;
  fields: string[];
  purpose: string;
  legal_basis: string;
  correlation_id: string;
  causation_id: string;
  payload_type: string;
  envelope_sha256: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  leaf_hash: Buffer;
}

export function fromRow(row: EntryRow): StoredAuditEntry {
  return {
    leafIndex: Number(row.leaf_index),
    eventId: row.event_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    actorId: row.actor_id,
    actorType: row.actor_type,
    action: row.action,
    subjectId: row.subject_id,
    fields: row.fields,
    purpose: row.purpose,
    legalBasis: row.legal_basis,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    payloadType: row.payload_type,
    envelopeSha256: row.envelope_sha256,
    sourceTopic: row.source_topic,
    sourcePartition: row.source_partition,
    sourceOffset: row.source_offset,
    leafHash: new Uint8Array(row.leaf_hash),
  };
}

const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/**
 * A text[] literal (`{"a","b\"c"}`): each element quoted, backslash and double quote escaped, so any text reads
 * back exactly. Used for the entries' ragged field lists (one literal per entry), and for whole columns: built in
 * one pass, it costs a fraction of pg's generic array serialisation, which ran per element on every batch.
 */
export function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    literal += `${i === 0 ? '"' : ',"'}${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/** A bytea[] literal of hex elements (`{"\\x00ff"}`: the backslash escaped inside the array literal). */
function byteaArrayLiteral(values: readonly Uint8Array[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    literal += `${i === 0 ? '"' : ',"'}\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}"`;
  }
  return `${literal}}`;
}

/**
 * A timestamptz[] literal of ISO 8601 UTC times (exact to the millisecond), or the dates themselves, for pg to
 * format, when one lies outside the years ISO's four digits cover. pg's per-date formatting cost more than the rest
 * of a batch's parameters.
 */
function timestampArray(values: readonly Date[]): string | readonly Date[] {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const year = value.getUTCFullYear();
    if (!(year >= 1 && year <= 9999)) return values;
    literal += `${i === 0 ? '' : ','}${value.toISOString()}`;
  }
  return `${literal}}`;
}

/** Where `append` goes back to when the log already holds one of a batch's event ids (`lockNextLeafIndex` sets it). */
const APPEND_SAVEPOINT = 'audit_append';

/** The entries' unique event id refused a row: the one failure `append` answers instead of throwing. */
function isDuplicateEventId(error: unknown): boolean {
  const { code, constraint } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'entries_event_id_key';
}

/** The audit store's SQL. Writes happen only through `append` inside the ingest transaction. */
export class EntriesStore {
  readonly schema: string;
  readonly s: string;

  constructor(
    readonly pool: Pool,
    schema: string,
  ) {
    this.schema = schema;
    this.s = quoteIdent(schema);
  }

  async logId(): Promise<string> {
    const { rows } = await this.pool.query<{ log_id: string }>(`SELECT log_id::text FROM ${this.s}.log_state`);
    return rows[0]!.log_id;
  }

  /**
   * Locks the log for this transaction and returns the next leaf index. It also sets the savepoint `append` goes
   * back to when an event id is already in the log (after the lock, so going back keeps it), in the same round trip.
   */
  async lockNextLeafIndex(tx: PoolClient): Promise<number> {
    const [locked] = (await tx.query(`SELECT next_leaf_index::text AS next FROM ${this.s}.log_state FOR UPDATE; SAVEPOINT ${APPEND_SAVEPOINT}`)) as unknown as [
      QueryResult<{ next: string }>,
      QueryResult,
    ];
    return Number(locked.rows[0]!.next);
  }

  async checkpoints(tx: PoolClient): Promise<Map<string, bigint>> {
    const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${this.s}.ingest_checkpoints`,
    );
    return new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
  }

  /**
   * Appends entries and moves the log's next leaf index to `nextLeafIndex`, in one statement (one round trip,
   * arrays in, unnest out), under the log lock and savepoint the caller took (`lockNextLeafIndex`). All or nothing:
   * when an event id is already in the log, the unique index refuses the insert, nothing is written (back to the
   * savepoint) and those ids are returned, so that the caller can give the others dense leaf indexes again. An empty
   * result means everything was appended.
   *
   * The ids are not looked up before the insert: on a young log (under a few hundred thousand entries) Postgres
   * answers `event_id = ANY(1,000 ids)` with a sequential scan of the whole table, which grew with every batch.
   */
  async append(tx: PoolClient, entries: ReadonlyArray<AuditEntry & { leafHash: Uint8Array }>, nextLeafIndex: number): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const column = <T>(pick: (entry: AuditEntry & { leafHash: Uint8Array }) => T): T[] => entries.map(pick);
    const text = (pick: (entry: AuditEntry & { leafHash: Uint8Array }) => string): string => textArrayLiteral(entries.map(pick));
    const eventIds = text((e) => e.eventId);
    try {
      await tx.query(
        `WITH added AS (
           INSERT INTO ${this.s}.entries (leaf_index, event_id, occurred_at, recorded_at, actor_id, actor_type, action, subject_id, fields,
             purpose, legal_basis, correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset, leaf_hash)
           SELECT e.leaf_index, e.event_id, e.occurred_at, e.recorded_at, e.actor_id, e.actor_type, e.action, e.subject_id, e.fields::text[],
                  e.purpose, e.legal_basis, e.correlation_id, e.causation_id, e.payload_type, e.envelope_sha256, e.source_topic, e.source_partition,
                  e.source_offset, e.leaf_hash
           FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                       $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[], $18::bigint[], $19::bytea[])
             AS e(leaf_index, event_id, occurred_at, recorded_at, actor_id, actor_type, action, subject_id, fields, purpose, legal_basis,
                  correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset, leaf_hash))
         UPDATE ${this.s}.log_state SET next_leaf_index = $20`,
        [
          `{${column((e) => e.leafIndex).join(',')}}`,
          eventIds,
          timestampArray(column((e) => e.occurredAt)),
          timestampArray(column((e) => e.recordedAt)),
          text((e) => e.actorId),
          text((e) => e.actorType),
          text((e) => e.action),
          text((e) => e.subjectId),
          text((e) => textArrayLiteral(e.fields)),
          text((e) => e.purpose),
          text((e) => e.legalBasis),
          text((e) => e.correlationId),
          text((e) => e.causationId),
          text((e) => e.payloadType),
          text((e) => e.envelopeSha256),
          text((e) => e.sourceTopic),
          `{${column((e) => e.sourcePartition).join(',')}}`,
          `{${column((e) => e.sourceOffset).join(',')}}`,
          byteaArrayLiteral(column((e) => e.leafHash)),
          String(nextLeafIndex),
        ],
      );
      return new Set();
    } catch (error) {
      if (!isDuplicateEventId(error)) throw error;
    }
    await tx.query(`ROLLBACK TO SAVEPOINT ${APPEND_SAVEPOINT}`);
    const { rows } = await tx.query<{ event_id: string }>(`SELECT k.event_id FROM ${this.s}.entries k WHERE k.event_id = ANY($1::text[])`, [eventIds]);
    // Under the log lock nobody else appends, so the refusal was one of these.
    if (rows.length === 0) throw new Error('the audit log refused a duplicate event id it does not hold');
    return new Set(rows.map((row) => row.event_id));
  }

  async saveCheckpoints(tx: PoolClient, next: ReadonlyArray<{ topic: string; partition: number; offset: bigint }>): Promise<void> {
    if (next.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.ingest_checkpoints (topic, partition, next_offset)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(ingest_checkpoints.next_offset, EXCLUDED.next_offset)`,
      [next.map((c) => c.topic), next.map((c) => c.partition), next.map((c) => c.offset.toString())],
    );
  }

  async allCheckpoints(): Promise<Array<{ topic: string; partition: number; nextOffset: bigint }>> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${this.s}.ingest_checkpoints`,
    );
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, nextOffset: BigInt(row.next_offset) }));
  }

  /** Stored leaf hashes from `fromIndex` on, in log order. */
  async leafHashes(fromIndex: number, limit: number): Promise<Array<{ leafIndex: number; leafHash: Uint8Array }>> {
    const { rows } = await this.pool.query<{ leaf_index: string; leaf_hash: Buffer }>(
      `SELECT e.leaf_index::text, e.leaf_hash FROM ${this.s}.entries e WHERE e.leaf_index >= $1 ORDER BY e.leaf_index LIMIT $2`,
      [String(fromIndex), limit],
    );
    return rows.map((row) => ({ leafIndex: Number(row.leaf_index), leafHash: new Uint8Array(row.leaf_hash) }));
  }

  /** Whole entries in log order from `afterIndex` (exclusive), for verifiers and exports. */
  async entriesAfter(afterIndex: number, limit: number): Promise<StoredAuditEntry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.s}.entries e WHERE e.leaf_index > $1 ORDER BY e.leaf_index LIMIT $2`,
      [String(afterIndex), limit],
    );
    return rows.map(fromRow);
  }

  async byEventId(eventId: string): Promise<StoredAuditEntry | undefined> {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ${this.s}.entries WHERE event_id = $1`, [eventId]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async byLeafIndex(leafIndex: number): Promise<StoredAuditEntry | undefined> {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ${this.s}.entries WHERE leaf_index = $1`, [String(leafIndex)]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }
}
