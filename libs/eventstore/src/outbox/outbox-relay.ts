import type { Pool } from 'pg';
import type { Logger } from '@crm/logging';
import type { KafkaCluster, OutgoingMessage } from '@crm/messaging';
import { outboxChannel, quoteIdent } from '../store/event-store.schema.js';

export interface OutboxRelayOptions {
  schema: string;
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (a notification can be lost while the listener reconnects). */
  pollIntervalMs?: number;
  /**
   * After a wake-up, wait this long for more commits before reading the outbox: a few milliseconds of latency buy
   * batches of hundreds instead of one produce request per committed event (the broker's CPU is the scarce part).
   */
  lingerMs?: number;
  logger?: Logger;
  /** Called after each published batch; used by tools and tests to observe progress. */
  onBatch?: (published: number) => void;
}

interface OutboxRow {
  position: string;
  event_id: string;
  event_type: string;
  topic: string;
  message_key: string;
  envelope: Buffer;
}

/** Content type announced on every record, so analysts' tools know how to decode the value. */
export const ENVELOPE_CONTENT_TYPE = 'application/x-protobuf; messageType=crm.events.v1.EventEnvelope';

/** The headers every envelope carries on Kafka, so consumers can route and deduplicate without decoding. */
export function envelopeHeaders(eventType: string, eventId: string): Record<string, string> {
  return { 'content-type': ENVELOPE_CONTENT_TYPE, 'event-type': eventType, 'event-id': eventId };
}

/**
 * Publishes the outbox to Kafka in order, then deletes what was published. One relay per schema is active at a time
 * (a session advisory lock); others stand by.
 *
 * Exactly once on the topic: a relay that crashed (or whose publish failed without an answer) between publishing and
 * deleting left rows in the outbox that may already be on Kafka. So whenever that is possible — when a relay takes
 * over, and after a failed batch — the next batch is first compared with the tails of its topics (each partition's
 * last `batchSize` records: a relay publishes at most one batch it has not deleted) and the rows whose event ids are
 * there already are deleted, not published again. Consumers dedupe by stream version and event id all the same.
 */
export class OutboxRelay {
  readonly #s: string;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #lingerMs: number;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  /** Whether the outbox may hold rows that are already on Kafka (see the class comment). */
  #uncertain = true;

  constructor(
    private readonly pool: Pool,
    private readonly kafka: KafkaCluster,
    private readonly options: OutboxRelayOptions,
  ) {
    this.#s = quoteIdent(options.schema);
    this.#batchSize = options.batchSize ?? 500;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#lingerMs = options.lingerMs ?? 5;
  }

  start(): void {
    this.#stopping = false;
    this.#running ??= this.run().catch((error: unknown) => {
      this.options.logger?.error({ err: error }, 'outbox relay stopped by an error');
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
  }

  /** Publishes everything currently in the outbox; returns how many records were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.relayBatch();
      total += published;
      if (published < this.#batchSize) return total;
    }
  }

  /**
   * Sessions, one after another until stopped: a session holds the connection that listens for commits and holds
   * the relay's lock. When Postgres ends that connection (a restart, `pg_terminate_backend`), the session ends, and
   * after a pause a new one connects, listens and takes the lock again: the lock may have moved to another relay
   * meanwhile, so the next batch is checked against the topics' tails first (`#uncertain`).
   */
  private async run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.session();
      } catch (error) {
        this.#uncertain = true;
        this.options.logger?.warn({ err: error }, 'outbox relay lost its Postgres session; connecting again');
        await this.idle(this.#pollIntervalMs);
      }
    }
  }

  private async session(): Promise<void> {
    const client = await this.pool.connect();
    // The server ending the connection is reported as the client's 'error' event: without a listener on a client
    // checked out of the pool, Node would end the process with it.
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
      this.#wake?.();
    };
    client.on('error', onError);
    const stillConnected = (): void => {
      if (lost !== undefined) throw lost;
    };
    const lockKey = `outbox-relay:${this.options.schema}`;
    try {
      client.on('notification', () => this.#wake?.());
      await client.query(`LISTEN ${quoteIdent(outboxChannel(this.options.schema))}`);
      while (!this.#stopping) {
        stillConnected();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockKey]);
        if (rows[0]?.locked === true) break;
        await this.idle(this.#pollIntervalMs * 5);
      }
      while (!this.#stopping) {
        stillConnected();
        try {
          const published = await this.relayBatch();
          if (published === this.#batchSize) continue;
        } catch (error) {
          // Kafka or Postgres unavailable: the rows stay in the outbox; try again after a pause. Some of them may have
          // reached Kafka before the failure: the next batch checks first.
          this.#uncertain = true;
          this.options.logger?.warn({ err: error }, 'outbox relay batch failed; will retry');
        }
        await this.idle(this.#pollIntervalMs);
        if (this.#lingerMs > 0 && !this.#stopping) await new Promise((resolve) => setTimeout(resolve, this.#lingerMs));
      }
    } finally {
      if (lost === undefined) {
        await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await client.query('UNLISTEN *').catch(() => undefined);
      }
      client.off('error', onError);
      // A broken connection is discarded, not returned to the pool.
      client.release(lost);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  private async relayBatch(): Promise<number> {
    const { rows } = await this.pool.query<OutboxRow>(
      // Order by the qualified column: the bare name would mean the text output column, and '10' sorts before '2'.
      `SELECT o.position::text, o.event_id::text, o.event_type, o.topic, o.message_key, o.envelope
       FROM ${this.#s}.outbox o ORDER BY o.position LIMIT $1`,
      [this.#batchSize],
    );
    if (rows.length === 0) return 0;
    const fresh = this.#uncertain ? await this.withoutPublished(rows) : rows;
    this.#uncertain = false;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const row of fresh) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({
        key: row.message_key,
        value: row.envelope,
        headers: envelopeHeaders(row.event_type, row.event_id),
      });
      byTopic.set(row.topic, messages);
    }
    try {
      for (const [topic, messages] of byTopic) await this.kafka.publish(topic, messages);
    } catch (error) {
      this.#uncertain = true;
      throw error;
    }
    await this.pool.query(`DELETE FROM ${this.#s}.outbox WHERE position = ANY($1::bigint[])`, [rows.map((row) => row.position)]);
    this.options.onBatch?.(fresh.length);
    return rows.length;
  }

  /** The rows whose events are not on their topics' tails yet; the others are deleted from the outbox. */
  private async withoutPublished(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const published = new Set<string>();
    await this.kafka.readToEnd(
      [...new Set(rows.map((row) => row.topic))],
      (message) => {
        const id = message.headers['event-id'];
        if (id !== undefined) published.add(id);
      },
      { groupId: `outbox-relay-check.${this.options.schema}`, timeoutMs: 60_000, lastPerPartition: this.#batchSize },
    );
    const already = rows.filter((row) => published.has(row.event_id));
    if (already.length === 0) return rows;
    await this.pool.query(`DELETE FROM ${this.#s}.outbox WHERE position = ANY($1::bigint[])`, [already.map((row) => row.position)]);
    this.options.logger?.info(
      { schema: this.options.schema, alreadyPublished: already.length },
      'outbox relay: rows already on Kafka deleted, not published again',
    );
    return rows.filter((row) => !published.has(row.event_id));
  }
}
