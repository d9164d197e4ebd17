import { backoffMs } from '@crm/eventstore';
import type { Logger } from '@crm/logging';
import type { IncomingMessage, KafkaCluster, Subscription } from '@crm/messaging';
import type { EntriesStore } from '../trail/entries.store.js';
import type { AuditLogView } from '../tree-heads/log.view.js';
import { recordBatch, type BatchOutcome } from './audit-batch.writer.js';

export interface AuditIngesterOptions {
  /** Which topics are event topics: `^crm\.[a-z]+\.v1\.events$` covers every service and `crm.access.v1.events`. */
  topicPattern: RegExp;
  /** How often the cluster's topic list is read again: services create their topics when they first start. */
  discoveryIntervalMs: number;
  maxBatchSize?: number;
  logger?: Logger;
  now?: () => Date;
  /** Called after each committed batch (tests, metrics). */
  onBatch?: (outcome: BatchOutcome) => void;
}

class Stopping extends Error {}

/**
 * Consumes every event topic of the primary cluster into the audit store. Kafka's committed offsets are only a
 * hint: the checkpoints that count are in the audit database, in the same transaction as the entries, and the
 * consumer group is named after the log's id, so a fresh audit database reads every topic from the beginning.
 */
export class AuditIngester {
  #subscription: Subscription | undefined;
  #topics: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #changing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: KafkaCluster,
    private readonly store: EntriesStore,
    private readonly view: AuditLogView,
    private readonly logId: string,
    private readonly options: AuditIngesterOptions,
  ) {}

  get topics(): readonly string[] {
    return this.#topics;
  }

  async start(): Promise<void> {
    this.#stopping = false;
    await this.discover();
    this.#timer = setInterval(() => {
      this.discover().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'audit topic discovery failed'));
    }, this.options.discoveryIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.#changing.catch(() => undefined);
    await this.#subscription?.stop();
    this.#subscription = undefined;
  }

  /** Reads the topic list and, when it changed, resubscribes (the group's offsets carry over; checkpoints decide). */
  discover(): Promise<void> {
    this.#changing = this.#changing.catch(() => undefined).then(async () => {
      if (this.#stopping) return;
      const topics = (await this.kafka.listTopics()).filter((topic) => this.options.topicPattern.test(topic)).sort();
      if (topics.join('\n') === this.#topics.join('\n')) return;
      await this.#subscription?.stop();
      this.#subscription = undefined;
      this.#topics = topics;
      if (topics.length === 0) return;
      this.options.logger?.info({ topics }, 'audit ingest subscribed');
      this.#subscription = await this.kafka.subscribe({
        groupId: `audit.${this.logId}`,
        topics,
        startAt: 'earliest',
        maxBatchSize: this.options.maxBatchSize ?? 1000,
        handle: (batch) => this.handleWithRetry(batch),
        onError: (error) => {
          if (!(error instanceof Stopping)) this.options.logger?.warn({ err: error }, 'audit ingest consumer error');
        },
      });
    });
    return this.#changing;
  }

  /** True when every partition's checkpoint has reached its topic's end offset. */
  async caughtUp(): Promise<boolean> {
    const checkpoints = new Map((await this.store.allCheckpoints()).map((c) => [`${c.topic}:${c.partition}`, c.nextOffset]));
    for (const topic of this.#topics) {
      const ends = await this.kafka.endOffsets(topic);
      for (const [partition, end] of ends.entries()) if (end > (checkpoints.get(`${topic}:${partition}`) ?? 0n)) return false;
    }
    return true;
  }

  /**
   * A batch that fails (Postgres restarting, a lock timeout) is retried with backoff until it commits: giving up
   * would leave a hole in the trail or stop consumption. Only stopping ends the loop, uncommitted.
   */
  private async handleWithRetry(batch: IncomingMessage[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.#stopping) throw new Stopping('stopping');
      try {
        const outcome = await recordBatch(this.store, batch, this.options.now ?? (() => new Date()), this.options.logger);
        this.view.offer(outcome.appended);
        this.options.onBatch?.(outcome);
        return;
      } catch (error) {
        const wait = backoffMs(attempt);
        this.options.logger?.warn({ err: error, attempt, retryInMs: wait }, 'audit batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
}
