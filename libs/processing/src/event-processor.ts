import type { Pool, PoolClient } from 'pg';
import { ContractError, decodeEnvelope, eventRegistry, type EventEnvelope } from '@crm/contracts';
import type { Logger } from '@crm/logging';
import type { IncomingMessage, KafkaCluster, Subscription } from '@crm/messaging';
import { withTransaction } from '@crm/postgres';
import { DeadLetterPublisher, type DeadLetter } from './dead-letters.js';
import type { ProcessedEvent, ProcessorHandler, ProcessorInvocation, ProcessorOptions, ProjectorOptions } from './processor.types.js';
import { backoffMs, errorCode, isRetriable } from './retry-policy.js';

/** Event topics have 6 partitions (BackboneModule creates a service's own topic so); a consumer that creates one agrees. */
const EVENT_TOPIC_PARTITIONS = 6;

export interface ProcessorRuntime {
  logger?: Logger;
  /** Jitter source for the backoff (tests). */
  random?: () => number;
}

class Stopping extends Error {}

type Item = ProcessedEvent | IncomingMessage;

export function quoteIdent(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(identifier)) throw new Error(`not a safe SQL identifier: ${identifier}`);
  return `"${identifier}"`;
}

const partitionKey = (message: { topic: string; partition: number }): string => `${message.topic}:${message.partition}`;

/**
 * One event processor: consumes its topics in batches and hands each batch to its handler under the handler's
 * role (see `ProcessorRole`).
 *
 * - Projector: each batch is one Postgres transaction holding the handler's read-model writes, the per-partition
 *   checkpoints and (with `dedupe: 'stream-version'`) the per-stream versions applied, so a redelivered message (same
 *   offset) or a republished event (same stream version, new offset) changes nothing: exactly-once effect over
 *   at-least-once delivery. `rebuild()` empties the read model and consumes from offset 0 under a new group.
 * - Reactor: the handler's effects happen outside any transaction; `idempotency: 'record'` claims every event id in
 *   `processed_events` in the transaction that spans the handler, so an id is handed over once (a crash during the
 *   effect rolls the claim back and the effect runs again: at-least-once for that window, never twice after it).
 *
 * Failures: a batch runs in one go; when the handler fails with a non-retriable error, the batch is replayed event by
 * event (behind savepoints for projectors) to find the culprit(s), which go to `<topic>.dlq` with a stable code while
 * the rest flows on. Messages that do not decode as envelopes go there too. Retriable failures (`isRetriable`) retry
 * the whole batch with capped, jittered backoff. `stop()` is graceful: the batch in flight finishes, or is abandoned
 * uncommitted while backing off, then the consumer leaves the group.
 */
export class EventProcessor {
  readonly #options: ProcessorOptions;
  readonly #deadLetters: DeadLetterPublisher;
  #subscription: Subscription | undefined;
  #topics: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #started = false;
  #changing: Promise<void> = Promise.resolve();
  /** Envelopes decoded as their message arrived (`arrived`), by message: a batch of the same objects finds them. */
  readonly #decoded = new WeakMap<IncomingMessage, EventEnvelope>();

  constructor(
    private readonly pool: Pool | undefined,
    private readonly kafka: KafkaCluster,
    private readonly handler: ProcessorHandler,
    options: ProcessorOptions,
    private readonly runtime: ProcessorRuntime = {},
  ) {
    if ('schema' in options) quoteIdent(options.schema);
    if ((options.role === 'projector' || options.idempotency === 'record') && pool === undefined) {
      throw new Error(`processor ${options.name} keeps its progress in Postgres but was given no pool`);
    }
    this.#options = options;
    this.#deadLetters = new DeadLetterPublisher(kafka, options.name);
  }

  get name(): string {
    return this.#options.name;
  }

  get role(): ProcessorOptions['role'] {
    return this.#options.role;
  }

  /** The topics consumed right now (with a pattern: as last discovered). */
  get topics(): readonly string[] {
    return this.#topics;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopping = false;
    this.#topics = [];
    const { topicPattern } = this.#options;
    if (topicPattern === undefined) {
      const topics = [...(this.#options.topics ?? [])];
      // A consumer may start before the topic's producer ever ran (contacts before consent, on a fresh platform):
      // the topic is made here, as its producer would make it (6 partitions, the backbone's), instead of failing.
      await this.kafka.ensureTopics(topics.map((name) => ({ name, partitions: EVENT_TOPIC_PARTITIONS })));
      await this.resubscribe(topics);
      return;
    }
    await this.discover();
    this.#timer = setInterval(() => {
      this.discover().catch((error: unknown) => this.runtime.logger?.warn({ err: error, processor: this.name }, 'topic discovery failed'));
    }, this.#options.discoveryIntervalMs ?? 5_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#started = false;
    clearInterval(this.#timer);
    await this.#changing.catch(() => undefined);
    await this.#subscription?.stop();
    this.#subscription = undefined;
  }

  /** Reads the topic list and, when it changed, resubscribes (the group's offsets carry over; checkpoints decide). */
  discover(): Promise<void> {
    const pattern = this.#options.topicPattern;
    if (pattern === undefined) return Promise.resolve();
    this.#changing = this.#changing
      .catch(() => undefined)
      .then(async () => {
        if (this.#stopping) return;
        const topics = (await this.kafka.listTopics()).filter((topic) => pattern.test(topic)).sort();
        if (topics.join('\n') === this.#topics.join('\n')) return;
        await this.resubscribe(topics);
      });
    return this.#changing;
  }

  /**
   * Projectors only: empties the read model (`reset`), forgets checkpoints and stream versions, and consumes from
   * offset 0 under a new consumer-group generation (the old group's committed offsets are at the end of the topics).
   */
  async rebuild(): Promise<void> {
    const options = this.projector('rebuild');
    const wasRunning = this.#started;
    await this.stop();
    const s = quoteIdent(options.schema);
    await withTransaction(this.pool!, async (tx) => {
      await options.reset?.(tx);
      await tx.query(`DELETE FROM ${s}.processor_checkpoints WHERE processor = $1`, [this.name]);
      await tx.query(`DELETE FROM ${s}.processor_streams WHERE processor = $1`, [this.name]);
      await tx.query(
        `INSERT INTO ${s}.processor_groups (processor, generation) VALUES ($1, 2)
         ON CONFLICT (processor) DO UPDATE SET generation = processor_groups.generation + 1`,
        [this.name],
      );
    });
    if (wasRunning) await this.start();
  }

  /** Projectors only: true when the checkpoint of every partition of every consumed topic reached its end offset. */
  async caughtUp(): Promise<boolean> {
    const s = quoteIdent(this.projector('caughtUp').schema);
    const { rows } = await this.pool!.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${s}.processor_checkpoints WHERE processor = $1`,
      [this.name],
    );
    const checkpoints = new Map(rows.map((row) => [partitionKey(row), BigInt(row.next_offset)]));
    for (const topic of this.#topics) {
      const ends = await this.kafka.endOffsets(topic);
      for (const [partition, end] of ends.entries()) if (end > (checkpoints.get(`${topic}:${partition}`) ?? 0n)) return false;
    }
    return true;
  }

  private projector(operation: string): ProjectorOptions {
    if (this.#options.role !== 'projector') throw new Error(`${operation} is for projectors; ${this.name} is a reactor`);
    return this.#options;
  }

  private async resubscribe(topics: string[]): Promise<void> {
    await this.#subscription?.stop();
    this.#subscription = undefined;
    this.#topics = topics;
    if (topics.length === 0) return;
    this.runtime.logger?.info({ processor: this.name, role: this.role, topics }, 'event processor subscribed');
    this.#subscription = await this.kafka.subscribe({
      groupId: await this.groupId(),
      topics,
      startAt: this.#options.startAt ?? 'earliest',
      maxBatchSize: this.#options.maxBatchSize ?? 500,
      handle: (batch) => this.handleWithRetry(batch),
      ...(this.decodes ? { onArrival: (message: IncomingMessage) => this.arrived(message) } : {}),
      onError: (error) => {
        if (!(error instanceof Stopping)) this.runtime.logger?.warn({ err: error, processor: this.name }, 'event processor consumer error');
      },
    });
  }

  private async groupId(): Promise<string> {
    const options = this.#options;
    if (options.role === 'reactor') return options.group ?? `reaction.${options.name}`;
    const group = options.group ?? `projection.${options.name}`;
    const { rows } = await this.pool!.query<{ generation: number }>(
      `SELECT generation FROM ${quoteIdent(options.schema)}.processor_groups WHERE processor = $1`,
      [options.name],
    );
    const generation = rows[0]?.generation ?? 1;
    return generation === 1 ? group : `${group}.g${generation}`;
  }

  private async handleWithRetry(batch: IncomingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping) throw new Stopping('stopping');
      try {
        const committed = await this.process(batch);
        for (const callback of committed) callback();
        return;
      } catch (error) {
        if (error instanceof Stopping) throw error;
        const wait = backoffMs(attempt, this.runtime.random);
        this.runtime.logger?.warn({ err: error, processor: this.name, attempt, retryInMs: wait }, 'event batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Handles one batch; returns the after-commit callbacks of the invocations that succeeded. */
  private process(batch: IncomingMessage[]): Promise<Array<() => void>> {
    const options = this.#options;
    if (options.role === 'projector') return withTransaction(this.pool!, (tx) => this.project(tx, options, batch));
    if (options.idempotency === 'record') return this.reactOnce(batch, options.schema);
    return this.react(batch, options.decode !== 'raw');
  }

  /** Whether this processor's handler gets envelopes (every projector and recording reactor; reactors by default). */
  private get decodes(): boolean {
    const options = this.#options;
    return options.role === 'projector' || options.idempotency === 'record' || options.decode !== 'raw';
  }

  /**
   * A message arrived while the previous batch may still be in its transaction: decode it now (and let a projector
   * prepare it), so that this CPU work overlaps the database's instead of following it. Only a cache: `decode`
   * decodes whatever was not decoded here, and a message that does not decode is left for it to dead-letter.
   */
  private arrived(message: IncomingMessage): void {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.value);
    } catch {
      return;
    }
    this.#decoded.set(message, envelope);
    const { prepare } = this.#options as Partial<ProjectorOptions>;
    if (prepare === undefined) return;
    try {
      prepare({ ...message, envelope });
    } catch {
      // Prepared again, or failed properly, when its batch is handled.
    }
  }

  private decode(messages: IncomingMessage[], dead: DeadLetter[]): ProcessedEvent[] {
    const decoded: ProcessedEvent[] = [];
    const acceptUnknown = this.#options.unknownPayloadTypes === 'accept';
    for (const message of messages) {
      try {
        const envelope = this.#decoded.get(message) ?? decodeEnvelope(message.value);
        if (!acceptUnknown && eventRegistry.getMessage(envelope.payloadType) === undefined) {
          throw new ContractError('EVENT_PAYLOAD_TYPE_UNKNOWN', 'no schema registered for the payload type');
        }
        decoded.push({ ...message, envelope });
      } catch (error) {
        dead.push({ message, code: errorCode(error) });
      }
    }
    return decoded;
  }

  private async project(tx: PoolClient, options: ProjectorOptions, batch: IncomingMessage[]): Promise<Array<() => void>> {
    const s = quoteIdent(options.schema);
    const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${s}.processor_checkpoints WHERE processor = $1 FOR UPDATE`,
      [this.name],
    );
    const checkpoints = new Map(rows.map((row) => [partitionKey(row), BigInt(row.next_offset)]));
    const fresh = batch.filter((message) => message.offset >= (checkpoints.get(partitionKey(message)) ?? 0n));
    const dead: DeadLetter[] = [];
    const decoded = this.decode(fresh, dead);
    const byVersion = options.dedupe !== 'none';
    const versions = byVersion ? await this.streamVersions(tx, s, decoded) : new Map<string, bigint>();
    const toApply = byVersion ? decoded.filter(({ envelope }) => envelope.streamVersion > (versions.get(envelope.streamId) ?? 0n)) : decoded;
    // Fast path: the whole batch in one go. Only when something fails is it replayed event by event behind
    // savepoints, to find the poison message(s) and let the rest through.
    const committed = await this.isolatingPoison(toApply, dead, tx);
    if (byVersion) {
      for (const { envelope } of toApply) versions.set(envelope.streamId, envelope.streamVersion);
      const touched = [...new Set(toApply.map(({ envelope }) => envelope.streamId))];
      if (touched.length > 0) {
        await tx.query(
          `INSERT INTO ${s}.processor_streams (processor, stream_id, version)
           SELECT $1, * FROM unnest($2::text[], $3::bigint[])
           ON CONFLICT (processor, stream_id) DO UPDATE SET version = GREATEST(processor_streams.version, EXCLUDED.version)`,
          [this.name, touched, touched.map((stream) => versions.get(stream)!.toString())],
        );
      }
    }
    // Dead letters are published before the checkpoint commits: if publishing fails, the batch is retried.
    await this.publishDeadLetters(dead);
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const message of fresh) next.set(partitionKey(message), { topic: message.topic, partition: message.partition, offset: message.offset + 1n });
    if (next.size > 0) {
      const entries = [...next.values()];
      await tx.query(
        `INSERT INTO ${s}.processor_checkpoints (processor, topic, partition, next_offset)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
         ON CONFLICT (processor, topic, partition) DO UPDATE SET next_offset = GREATEST(processor_checkpoints.next_offset, EXCLUDED.next_offset)`,
        [this.name, entries.map((e) => e.topic), entries.map((e) => e.partition), entries.map((e) => e.offset.toString())],
      );
    }
    return committed;
  }

  /** Natural idempotency: the batch in one go, replayed per event only to find poison (re-running is harmless). */
  private async react(batch: IncomingMessage[], decode: boolean): Promise<Array<() => void>> {
    const dead: DeadLetter[] = [];
    const items: Item[] = decode ? this.decode(batch, dead) : batch;
    const committed = await this.isolatingPoison(items, dead);
    await this.publishDeadLetters(dead);
    return committed;
  }

  /**
   * Recorded idempotency: one transaction per event claims its id in `processed_events` and spans the effect, so an
   * event whose claim committed is never handed over again, whatever is retried or redelivered afterwards. A poison
   * event is dead-lettered and its claim kept.
   */
  private async reactOnce(batch: IncomingMessage[], schema: string): Promise<Array<() => void>> {
    const dead: DeadLetter[] = [];
    const events = this.decode(batch, dead);
    await this.publishDeadLetters(dead);
    for (const event of events) {
      const committed: Array<() => void> = [];
      await withTransaction(this.pool!, async (tx) => {
        const { rowCount } = await tx.query(
          `INSERT INTO ${quoteIdent(schema)}.processed_events (processor, event_id) VALUES ($1, $2) ON CONFLICT (processor, event_id) DO NOTHING`,
          [this.name, event.envelope.eventId],
        );
        if (rowCount === 0) return;
        try {
          committed.push(...(await this.invoke([event], undefined)));
        } catch (error) {
          if (isRetriable(error)) throw error;
          await this.publishDeadLetters([{ message: event, code: errorCode(error) }]);
        }
      });
      for (const callback of committed) callback();
    }
    return [];
  }

  /**
   * Runs the handler over the whole batch; on a non-retriable failure, once per item instead (projectors: each
   * behind a savepoint, so a failed item leaves no writes), dead-lettering the items that fail.
   */
  private async isolatingPoison(items: Item[], dead: DeadLetter[], tx?: PoolClient): Promise<Array<() => void>> {
    if (items.length === 0) return [];
    const committed: Array<() => void> = [];
    if (tx !== undefined) await tx.query('SAVEPOINT batch');
    try {
      committed.push(...(await this.invoke(items, tx)));
      if (tx !== undefined) await tx.query('RELEASE SAVEPOINT batch');
      return committed;
    } catch (error) {
      if (isRetriable(error)) throw error;
      if (tx !== undefined) await tx.query('ROLLBACK TO SAVEPOINT batch');
    }
    for (const item of items) {
      if (tx !== undefined) await tx.query('SAVEPOINT event');
      try {
        committed.push(...(await this.invoke([item], tx)));
        if (tx !== undefined) await tx.query('RELEASE SAVEPOINT event');
      } catch (error) {
        if (isRetriable(error)) throw error;
        if (tx !== undefined) await tx.query('ROLLBACK TO SAVEPOINT event');
        dead.push({ message: item, code: errorCode(error) });
      }
    }
    return committed;
  }

  private async invoke(items: Item[], tx: PoolClient | undefined): Promise<Array<() => void>> {
    const callbacks: Array<() => void> = [];
    const invocation: ProcessorInvocation = { processor: this.name, role: this.role, tx, afterCommit: (callback) => callbacks.push(callback) };
    await this.handler(items as ProcessedEvent[], invocation);
    return callbacks;
  }

  private async streamVersions(tx: PoolClient, s: string, decoded: ProcessedEvent[]): Promise<Map<string, bigint>> {
    const streams = [...new Set(decoded.map(({ envelope }) => envelope.streamId))];
    if (streams.length === 0) return new Map();
    const { rows } = await tx.query<{ stream_id: string; version: string }>(
      `SELECT stream_id, version::text FROM ${s}.processor_streams WHERE processor = $1 AND stream_id = ANY($2)`,
      [this.name, streams],
    );
    return new Map(rows.map((row) => [row.stream_id, BigInt(row.version)]));
  }

  private async publishDeadLetters(dead: DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    this.runtime.logger?.error(
      { processor: this.name, count: dead.length, codes: dead.map((letter) => letter.code) },
      'messages sent to the dead-letter topic',
    );
    await this.#deadLetters.publish(dead);
  }
}
