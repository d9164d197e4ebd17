import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Pool, PoolClient } from 'pg';
import { DeadLetterSchema, decodeEnvelope, type EventEnvelope } from '@crm/contracts';
import type { Logger } from '@crm/logging';
import { withTransaction } from '@crm/postgres';
import type { IncomingMessage, KafkaCluster, Subscription } from '@crm/messaging';
import { quoteIdent } from '../store/event-store.schema.js';
import type { Projection, ProjectedEvent } from './projection.types.js';
import { backoffMs, errorCode, isRetriable } from './retry-policy.js';

export interface ProjectionRunnerOptions {
  /** Schema holding the runner's bookkeeping tables (the read model's own schema, usually). */
  schema: string;
  maxBatchSize?: number;
  logger?: Logger;
  random?: () => number;
}

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

interface Decoded {
  message: IncomingMessage;
  envelope: EventEnvelope;
}

interface DeadLetter {
  message: IncomingMessage;
  code: string;
}

class Stopping extends Error {}

/**
 * Feeds one projection. Each batch is one Postgres transaction holding the read-model writes, the per-partition
 * checkpoints and the per-stream versions applied, so a redelivered message (same offset) or a republished event
 * (same stream version, new offset) changes nothing: exactly-once effect over at-least-once delivery.
 */
export class ProjectionRunner {
  readonly #s: string;
  #subscription: Subscription | undefined;
  #stopping = false;
  #deadLetterTopicsReady = false;

  constructor(
    private readonly pool: Pool,
    private readonly kafka: KafkaCluster,
    private readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.#s = quoteIdent(options.schema);
  }

  async start(): Promise<void> {
    if (this.#subscription !== undefined) return;
    this.#stopping = false;
    if (!this.#deadLetterTopicsReady) {
      await this.kafka.ensureTopics(this.projection.topics.map((topic) => ({ name: deadLetterTopic(topic), partitions: 1 })));
      this.#deadLetterTopicsReady = true;
    }
    this.#subscription = await this.kafka.subscribe({
      groupId: await this.groupId(),
      topics: [...this.projection.topics],
      startAt: 'earliest',
      maxBatchSize: this.options.maxBatchSize ?? 500,
      handle: (batch) => this.handleWithRetry(batch),
      onError: (error) => {
        if (!(error instanceof Stopping)) this.options.logger?.warn({ err: error, projection: this.projection.name }, 'projection consumer error');
      },
    });
  }

  /** Graceful: the batch in flight finishes (or is abandoned uncommitted while backing off), then the consumer leaves. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#subscription?.stop();
    this.#subscription = undefined;
  }

  /**
   * Rebuilds the read model from offset 0: empties it, forgets checkpoints, and consumes under a new consumer-group
   * generation (the old group's committed offsets are at the end of the topics).
   */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.transaction(async (tx) => {
      await this.projection.reset(tx);
      await tx.query(`DELETE FROM ${this.#s}.projection_checkpoints WHERE projection = $1`, [this.projection.name]);
      await tx.query(`DELETE FROM ${this.#s}.projection_streams WHERE projection = $1`, [this.projection.name]);
      await tx.query(
        `INSERT INTO ${this.#s}.projection_groups (projection, generation) VALUES ($1, 2)
         ON CONFLICT (projection) DO UPDATE SET generation = projection_groups.generation + 1`,
        [this.projection.name],
      );
    });
    await this.start();
  }

  /** True when the checkpoint of every partition has reached the topic's end offset. */
  async caughtUp(): Promise<boolean> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${this.#s}.projection_checkpoints WHERE projection = $1`,
      [this.projection.name],
    );
    for (const topic of this.projection.topics) {
      const ends = await this.kafka.endOffsets(topic);
      for (const [partition, end] of ends.entries()) {
        const checkpoint = rows.find((row) => row.topic === topic && row.partition === partition);
        if (end > BigInt(checkpoint?.next_offset ?? 0)) return false;
      }
    }
    return true;
  }

  private async groupId(): Promise<string> {
    const { rows } = await this.pool.query<{ generation: number }>(`SELECT generation FROM ${this.#s}.projection_groups WHERE projection = $1`, [
      this.projection.name,
    ]);
    return `projection.${this.projection.name}.g${rows[0]?.generation ?? 1}`;
  }

  private async handleWithRetry(batch: IncomingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping) throw new Stopping('stopping');
      try {
        await this.applyBatch(batch);
        return;
      } catch (error) {
        if (error instanceof Stopping) throw error;
        const wait = backoffMs(attempt, this.options.random);
        this.options.logger?.warn({ err: error, projection: this.projection.name, attempt, retryInMs: wait }, 'projection batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async applyBatch(batch: IncomingMessage[]): Promise<void> {
    await this.transaction(async (tx) => {
      const checkpoints = await this.checkpoints(tx);
      const fresh = batch.filter((message) => message.offset >= (checkpoints.get(partitionKey(message)) ?? 0n));
      const dead: DeadLetter[] = [];
      const decoded: Decoded[] = [];
      for (const message of fresh) {
        try {
          decoded.push({ message, envelope: decodeEnvelope(message.value) });
        } catch (error) {
          dead.push({ message, code: errorCode(error) });
        }
      }
      const versions = await this.streamVersions(tx, decoded);
      const toApply = decoded.filter(({ envelope }) => envelope.streamVersion > (versions.get(envelope.streamId) ?? 0n));
      // Fast path: the whole batch in one go. Only when something fails is it replayed event by event behind
      // savepoints, to find the poison message(s) and let the rest through.
      await tx.query('SAVEPOINT batch');
      try {
        for (const item of toApply) await this.projection.apply(tx, projected(item));
        await tx.query('RELEASE SAVEPOINT batch');
      } catch (error) {
        if (isRetriable(error)) throw error;
        await tx.query('ROLLBACK TO SAVEPOINT batch');
        for (const item of toApply) {
          await tx.query('SAVEPOINT event');
          try {
            await this.projection.apply(tx, projected(item));
            await tx.query('RELEASE SAVEPOINT event');
          } catch (eventError) {
            if (isRetriable(eventError)) throw eventError;
            await tx.query('ROLLBACK TO SAVEPOINT event');
            dead.push({ message: item.message, code: errorCode(eventError) });
          }
        }
      }
      for (const { envelope } of toApply) versions.set(envelope.streamId, envelope.streamVersion);
      // Dead letters are published before the checkpoint commits: if publishing fails, the batch is retried.
      await this.publishDeadLetters(dead);
      await this.saveProgress(tx, fresh, versions, toApply);
    });
  }

  private async checkpoints(tx: PoolClient): Promise<Map<string, bigint>> {
    const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset::text FROM ${this.#s}.projection_checkpoints WHERE projection = $1 FOR UPDATE`,
      [this.projection.name],
    );
    return new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
  }

  private async streamVersions(tx: PoolClient, decoded: Decoded[]): Promise<Map<string, bigint>> {
    const streams = [...new Set(decoded.map(({ envelope }) => envelope.streamId))];
    if (streams.length === 0) return new Map();
    const { rows } = await tx.query<{ stream_id: string; version: string }>(
      `SELECT stream_id, version::text FROM ${this.#s}.projection_streams WHERE projection = $1 AND stream_id = ANY($2)`,
      [this.projection.name, streams],
    );
    return new Map(rows.map((row) => [row.stream_id, BigInt(row.version)]));
  }

  private async saveProgress(tx: PoolClient, fresh: IncomingMessage[], versions: Map<string, bigint>, applied: Decoded[]): Promise<void> {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const message of fresh) next.set(partitionKey(message), { topic: message.topic, partition: message.partition, offset: message.offset + 1n });
    if (next.size > 0) {
      const entries = [...next.values()];
      await tx.query(
        `INSERT INTO ${this.#s}.projection_checkpoints (projection, topic, partition, next_offset)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = GREATEST(projection_checkpoints.next_offset, EXCLUDED.next_offset)`,
        [this.projection.name, entries.map((e) => e.topic), entries.map((e) => e.partition), entries.map((e) => e.offset.toString())],
      );
    }
    const touched = [...new Set(applied.map(({ envelope }) => envelope.streamId))];
    if (touched.length > 0) {
      await tx.query(
        `INSERT INTO ${this.#s}.projection_streams (projection, stream_id, version)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[])
         ON CONFLICT (projection, stream_id) DO UPDATE SET version = GREATEST(projection_streams.version, EXCLUDED.version)`,
        [this.projection.name, touched, touched.map((stream) => versions.get(stream)!.toString())],
      );
    }
  }

  private async publishDeadLetters(dead: DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of dead) byTopic.set(letter.message.topic, [...(byTopic.get(letter.message.topic) ?? []), letter]);
    for (const [topic, letters] of byTopic) {
      this.options.logger?.error({ projection: this.projection.name, topic, count: letters.length, codes: letters.map((l) => l.code) }, 'events sent to the dead-letter topic');
      await this.kafka.publish(
        deadLetterTopic(topic),
        letters.map(({ message, code }) => ({
          key: message.key ?? '',
          value: toBinary(
            DeadLetterSchema,
            create(DeadLetterSchema, {
              originalValue: message.value,
              originalKey: Buffer.from(message.key ?? ''),
              originalTopic: message.topic,
              originalPartition: message.partition,
              originalOffset: message.offset,
              errorCode: code,
              consumerGroup: this.projection.name,
              failedAt: timestampFromDate(new Date()),
              attempts: 1,
            }),
          ),
          headers: { 'error-code': code, 'original-topic': message.topic },
        })),
      );
    }
  }

  private transaction(work: (tx: PoolClient) => Promise<void>): Promise<void> {
    return withTransaction(this.pool, work);
  }
}

function partitionKey(message: { topic: string; partition: number }): string {
  return `${message.topic}:${message.partition}`;
}

function projected({ message, envelope }: Decoded): ProjectedEvent {
  return { envelope, topic: message.topic, partition: message.partition, offset: message.offset };
}
