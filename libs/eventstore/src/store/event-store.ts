import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Pool, PoolClient } from 'pg';
import { decodeEnvelope, EventEnvelopeSchema, type EventEnvelope } from '@crm/contracts';
import { uuidv7 } from '../ids/uuidv7.js';
import { StreamVersionConflict } from './event-store.errors.js';
import { outboxChannel, quoteIdent, VERSION_CONFLICT_SQLSTATE } from './event-store.schema.js';
import type { AllPosition, AppendResult, EventMetadata, ExpectedVersion, NewEvent, RecordedEvent, StreamAppend } from './event.types.js';

export interface EventStoreOptions {
  /** Postgres schema holding `events` and `outbox` (one per service; tests use scratch schemas). */
  schema: string;
  /** Kafka topic the outbox relay publishes this store's events to. */
  topic: string;
  clock?: () => Date;
}

interface EventRow {
  global_position: string;
  tx_id: string;
  stream_id: string;
  stream_version: string;
  envelope: Buffer;
}

const UNIQUE_VIOLATION = '23505';
// Numbers leave as text (pg would round bigint through a JS number). ORDER BY clauses name the qualified columns:
// an unqualified name would bind to these text outputs and sort '10' before '2'.
const EVENT_COLUMNS = 'e.global_position::text, e.tx_id::text, e.stream_id, e.stream_version::text, e.envelope';

/**
 * A service's event store on Postgres. `append` writes the events and their outbox rows in one transaction with the
 * caller's decision, so an event is published if and only if it was stored.
 */
export class EventStore {
  readonly schema: string;
  readonly topic: string;
  readonly #s: string;
  readonly #clock: () => Date;

  constructor(
    private readonly pool: Pool,
    options: EventStoreOptions,
  ) {
    this.schema = options.schema;
    this.topic = options.topic;
    this.#s = quoteIdent(options.schema);
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Appends events to one stream if it is at the expected version. Pass `client` to join a transaction the caller
   * already holds (e.g. to update a read model atomically); otherwise the store runs its own.
   */
  async append(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[], metadata: EventMetadata, client?: PoolClient): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    // A single statement is its own transaction: without a caller's transaction, no BEGIN/COMMIT round trips.
    return this.appendWith(client ?? this.pool, streamId, expected, events, metadata);
  }

  /**
   * Appends to many streams in one statement, inside the caller's transaction (the command pipeline's group commit):
   * each stream must be at its expected version (`0n`: not yet written), or nothing is written and the first
   * stream that is not raises StreamVersionConflict. A stream appears at most once.
   */
  async appendMany(appends: readonly StreamAppend[], client: PoolClient): Promise<AppendResult[]> {
    return this.#appendStreams(client, appends);
  }

  private async appendWith(
    client: Pool | PoolClient,
    streamId: string,
    expected: ExpectedVersion,
    events: readonly NewEvent[],
    metadata: EventMetadata,
  ): Promise<AppendResult> {
    const current = expected === 'no_stream' ? 0n : expected === 'any' ? await this.currentVersion(client, streamId) : expected;
    const [result] = await this.#appendStreams(client, [{ streamId, expected: current, events, metadata }]);
    return result!;
  }

  /** One statement (`append_streams`): every stream's version checked, then events, outbox rows and the relay's wake-up. */
  async #appendStreams(client: Pool | PoolClient, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    const occurredAt = this.#clock();
    const prepared = appends.map(({ streamId, expected, events, metadata }) => ({
      streamId,
      expected,
      rows: this.#envelopes(streamId, expected, events, metadata, occurredAt),
    }));
    const rows = prepared.flatMap(({ streamId, rows }) => rows.map((row) => ({ streamId, ...row })));
    try {
      await client.query(`SELECT ${this.#s}.append_streams($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        prepared.map((append) => append.streamId),
        prepared.map((append) => append.expected.toString()),
        rows.map((row) => row.streamId),
        rows.map((row) => row.version.toString()),
        rows.map((row) => row.eventId),
        rows.map((row) => row.event.type),
        rows.map((row) => row.event.subjectId ?? null),
        occurredAt,
        rows.map((row) => row.bytes),
        this.topic,
        rows.map((row) => row.event.subjectId ?? row.streamId),
        outboxChannel(this.schema),
      ]);
    } catch (error) {
      // append_streams names the first stream that moved (1-based); a unique violation names none.
      const conflicting = prepared[Number((error as { detail?: string }).detail ?? 1) - 1] ?? prepared[0]!;
      throw asConflict(error, conflicting.streamId, conflicting.expected);
    }
    return prepared.map(({ streamId, expected, rows }) => ({
      streamId,
      nextExpectedVersion: expected + BigInt(rows.length),
      eventIds: rows.map((row) => row.eventId),
    }));
  }

  #envelopes(streamId: string, current: bigint, events: readonly NewEvent[], metadata: EventMetadata, occurredAt: Date) {
    return events.map((event, index) => {
      const version = current + BigInt(index + 1);
      const envelope = createEnvelope(streamId, version, event, metadata, occurredAt);
      return { eventId: envelope.eventId, version, event, bytes: Buffer.from(toBinary(EventEnvelopeSchema, envelope)) };
    });
  }

  private async currentVersion(client: Pool | PoolClient, streamId: string): Promise<bigint> {
    const { rows } = await client.query<{ version: string | null }>(`SELECT max(stream_version)::text AS version FROM ${this.#s}.events WHERE stream_id = $1`, [
      streamId,
    ]);
    return BigInt(rows[0]?.version ?? 0);
  }

  /** A stream's events in order; pass `client` to read inside a transaction (the command pipeline's load). */
  async readStream(streamId: string, fromVersion = 1n, client?: PoolClient): Promise<RecordedEvent[]> {
    const { rows } = await (client ?? this.pool).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events e WHERE e.stream_id = $1 AND e.stream_version >= $2 ORDER BY e.stream_version`,
      [streamId, fromVersion.toString()],
    );
    return rows.map(toRecorded);
  }

  /**
   * Events after `after`, in commit-safe order. Only transactions older than the oldest one still running are
   * visible, so an event that commits late with a lower position is never skipped by a reader that moved past it.
   */
  async readAll(after: AllPosition, limit = 500): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events e
       WHERE (e.tx_id, e.global_position) > ($1::text::xid8, $2::bigint)
         AND e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.tx_id, e.global_position
       LIMIT $3`,
      [after.txId.toString(), after.globalPosition.toString(), limit],
    );
    return rows.map(toRecorded);
  }
}

/**
 * A version conflict as the store reports it: the append function's CR409, or the unique (stream_id, stream_version)
 * catching two writers that passed the version check at once. Any other error is returned as it is.
 */
function asConflict(error: unknown, streamId: string, expected: bigint): unknown {
  const { code } = error as { code?: string };
  if (code === VERSION_CONFLICT_SQLSTATE || code === UNIQUE_VIOLATION) return new StreamVersionConflict(streamId, String(expected), 'changed concurrently');
  return error;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    globalPosition: BigInt(row.global_position),
    txId: BigInt(row.tx_id),
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    envelope: decodeEnvelope(row.envelope),
    envelopeBytes: row.envelope,
  };
}

/**
 * The envelope every event travels in (`crm.events.v1.EventEnvelope`). Exported for the rare publisher without an
 * event store of its own (the gateway's access decisions); everything else goes through `EventStore.append`.
 */
export function createEnvelope(streamId: string, streamVersion: bigint, event: NewEvent, metadata: EventMetadata, occurredAt: Date): EventEnvelope {
  return create(EventEnvelopeSchema, {
    eventId: uuidv7(occurredAt.getTime()),
    eventType: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    streamId,
    streamVersion,
    subjectId: event.subjectId ?? '',
    actor: { id: metadata.actor.id, type: metadata.actor.type },
    purpose: metadata.purpose,
    legalBasis: metadata.legalBasis,
    occurredAt: timestampFromDate(occurredAt),
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? '',
    keyId: event.keyId ?? '',
    payload: event.payload,
    payloadType: event.payloadType,
  });
}
