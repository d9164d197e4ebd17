import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  findErrorBy,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  SASLMechanisms,
  type SASLOptions,
} from '@platformatic/kafka';
import type { HealthCheck } from '@crm/health';
import { AppError } from '@crm/http';
import { closeConsumer, consumeBatches, joinGroup, toIncoming, type BatchConsumerOptions, type Subscription } from './batch-consumer.js';

/**
 * The platform's only door to a Kafka cluster. Services talk to this interface, not to a client library, so the
 * client (today @platformatic/kafka) can be swapped behind it; see docs/decisions for why it was chosen.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Event topics keep everything: they are the replayable history the backup cluster mirrors. */
  retentionMs?: number;
  /** `compact`: the latest record per key is kept and a null value (tombstone) removes the key (analytics streams). */
  cleanupPolicy?: 'delete' | 'compact';
  /**
   * Copies of each partition. Default: the cluster's own (`default.replication.factor`: 1 on a single broker, 3 on a
   * three-broker primary, whose `min.insync.replicas` 2 then makes an acks=all write survive losing a broker). Only
   * tests set it, to show what a topic without replicas loses.
   */
  replicationFactor?: number;
}

export interface OutgoingMessage {
  /** Partition key: the data subject or aggregate id, so one subject's events stay in order. */
  key: string;
  /** `null`: a tombstone, which a compacted topic uses to drop every earlier record of the key. */
  value: Uint8Array | null;
  headers?: Record<string, string>;
  /** Only for copying a topic record for record (a restore): the partition it was in, instead of the key's. */
  partition?: number;
  /** Only for copying: the original record's timestamp (ms since the epoch). */
  timestamp?: bigint;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: bigint;
  /** The record's timestamp (ms since the epoch): when the producer sent it, unless the topic says log-append time. */
  timestamp?: bigint;
  key: string | undefined;
  /** At run time `undefined` for a tombstone (a null value, on compacted topics such as crm.analytics.v1.*). */
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * How a client signs in to a cluster that authenticates (the primary: SASL/SCRAM, one principal per service; see
 * docs/security.md#kafka). The password is revealed only when a connection authenticates.
 */
export interface KafkaSasl {
  mechanism: 'scram-sha-512' | 'scram-sha-256';
  username: string;
  password: { reveal(): string };
}

/** The client library's SASL options for `sasl` (undefined: a plaintext cluster). */
export function clientSasl(sasl: KafkaSasl | undefined): { sasl?: SASLOptions } {
  if (sasl === undefined) return {};
  return {
    sasl: {
      mechanism: sasl.mechanism === 'scram-sha-256' ? SASLMechanisms.SCRAM_SHA_256 : SASLMechanisms.SCRAM_SHA_512,
      username: sasl.username,
      password: () => sasl.password.reveal(),
    },
  };
}

export interface KafkaClusterOptions {
  /** `primary` or `backup`; used in health reports and client ids. */
  name: string;
  brokers: string[];
  clientId: string;
  /** Credentials for a cluster that authenticates its clients; none for a plaintext one. */
  sasl?: KafkaSasl | undefined;
  /**
   * Upper bound on one publish. The client retries some failures internally for a long time (a topic that does
   * not exist, with auto-creation off, was seen to hang a send for minutes); past this, the send fails with a
   * retriable KAFKA_PUBLISH_TIMEOUT so the caller's own retry policy decides. Default 30 s.
   */
  publishTimeoutMs?: number;
}

export class KafkaCluster {
  readonly name: string;
  readonly #options: KafkaClusterOptions;
  #admin: Admin | undefined;
  #producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;

  constructor(options: KafkaClusterOptions) {
    this.name = options.name;
    this.#options = options;
  }

  /** A metadata round trip: proves a broker answers, not just that a port is open. */
  async ping(): Promise<void> {
    await this.admin().metadata({ topics: [] });
  }

  /** The next offset to be written, per partition: "caught up" means a consumer's position reached these. */
  async endOffsets(topic: string): Promise<bigint[]> {
    return (await this.endOffsetsOf([topic])).get(topic) ?? [];
  }

  /**
   * `endOffsets` for several topics in one request (a monitor asking about every topic should not open a consumer
   * per topic). Every topic must exist; a missing one fails the whole call.
   */
  async endOffsetsOf(topics: readonly string[]): Promise<Map<string, bigint[]>> {
    if (topics.length === 0) return new Map();
    const consumer = new Consumer({
      clientId: `${this.#options.clientId}-offsets`,
      bootstrapBrokers: this.#options.brokers,
      ...clientSasl(this.#options.sasl),
      groupId: 'crm-offset-probe',
    });
    try {
      return await consumer.listOffsets({ topics: [...topics] });
    } finally {
      await closeConsumer(consumer);
    }
  }

  /** See `consumeBatches`; the cluster supplies brokers and client id. */
  subscribe(options: Omit<BatchConsumerOptions, 'brokers' | 'sasl' | 'clientId'>): Promise<Subscription> {
    return consumeBatches({ ...options, brokers: this.#options.brokers, sasl: this.#options.sasl, clientId: `${this.#options.clientId}-${options.groupId}` });
  }

  async listTopics(): Promise<string[]> {
    return this.admin().listTopics({ includeInternals: false });
  }

  /** Creates missing topics with explicit partition counts; existing topics are left as they are. */
  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const existing = new Set(await this.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    for (const topic of missing) {
      try {
        await this.admin().createTopics({
          topics: [topic.name],
          partitions: topic.partitions,
          // -1: the broker's default.replication.factor (deploy/local/kafka.sh sets it from the cluster's size).
          replicas: topic.replicationFactor ?? -1,
          configs: [
            { name: 'retention.ms', value: String(topic.retentionMs ?? -1) },
            ...(topic.cleanupPolicy === undefined ? [] : [{ name: 'cleanup.policy', value: topic.cleanupPolicy }]),
          ],
        });
      } catch (error) {
        // Another process may have created it between our list and create; only that case is benign. The broker
        // says so (TOPIC_ALREADY_EXISTS); a fresh listing may not show it yet (the client shares in-flight metadata
        // requests), which made a service fail to start on a fresh cluster.
        if (findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) continue;
        if (!(await this.listTopics()).includes(topic.name)) throw error;
      }
    }
    if (missing.length > 0) await this.awaitLeaders(missing.map((topic) => topic.name));
  }

  /** A topic's configuration as the broker reports it (explicit settings and defaults alike), e.g. `retention.ms`. */
  async topicConfig(topic: string): Promise<Record<string, string>> {
    const [description] = await this.admin().describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }] });
    return Object.fromEntries((description?.configs ?? []).flatMap((config) => (typeof config.value === 'string' ? [[config.name, config.value]] : [])));
  }

  /** Deletes topics that exist; missing ones are skipped. For tests and scratch topics: event topics are forever. */
  async deleteTopics(topics: readonly string[]): Promise<void> {
    const existing = new Set(await this.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await this.admin().deleteTopics({ topics: present });
  }

  /**
   * A topic exists before its partitions have leaders; a send in between fails. Creating a topic therefore returns
   * only once every partition has one, by polling fresh metadata (bounded, never a guessed sleep).
   */
  private async awaitLeaders(topics: string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const metadata = await this.admin()
        .metadata({ topics, forceUpdate: true })
        .catch(() => undefined);
      const ready = topics.every((name) => {
        const partitions = metadata?.topics.get(name)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((partition) => partition.leader >= 0);
      });
      if (ready) return;
      if (Date.now() > deadline)
        throw new AppError('KAFKA_TOPIC_NOT_READY', 'unavailable', `topics have no partition leaders yet: ${topics.join(', ')}`, { retriable: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Publishes with the idempotent producer and acks=all: a send resolves only once every in-sync replica has it. */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const sending = this.producer().send({
      messages: messages.map((message) => ({
        topic,
        key: Buffer.from(message.key),
        // A tombstone is a record whose value is null (length -1 on the wire).
        // (`undefined` too: a tombstone read back, which a restore copies, arrives so.)
        value: message.value === null || message.value === undefined ? (null as unknown as Buffer) : Buffer.from(message.value),
        headers: new Map(Object.entries(message.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        ...(message.partition === undefined ? {} : { partition: message.partition }),
        ...(message.timestamp === undefined ? {} : { timestamp: message.timestamp }),
      })),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The producer may be wedged on that send: drop it, the next publish starts a fresh one.
        const wedged = this.#producer;
        this.#producer = undefined;
        void wedged?.close(true).catch(() => undefined);
        reject(new AppError('KAFKA_PUBLISH_TIMEOUT', 'unavailable', `publishing to ${topic} did not complete in time`, { retriable: true }));
      }, this.#options.publishTimeoutMs ?? 30_000);
    });
    try {
      await Promise.race([sending, timeout]);
    } catch (error) {
      if (error instanceof AppError) throw error;
      // Client errors carry broker and record details; callers get one stable, retriable code and the cause.
      throw new AppError('KAFKA_PUBLISH_FAILED', 'unavailable', `publishing to ${topic} failed`, { retriable: true, cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads a topic from the beginning with a fresh consumer group until `until` returns true for the messages
   * seen so far, or the deadline passes. Meant for tools, tests and restore drills, not for projectors.
   */
  async readFromStart(
    topic: string,
    until: (seen: readonly IncomingMessage[]) => boolean,
    options: { groupId: string; timeoutMs: number },
  ): Promise<IncomingMessage[]> {
    const { consumer, stream } = await this.#readFromEarliest([topic], options.groupId);
    const seen: IncomingMessage[] = [];
    const deadline = setTimeout(() => void stream.close(), options.timeoutMs);
    try {
      for await (const message of stream) {
        seen.push(toIncoming(message));
        if (until(seen)) break;
      }
    } finally {
      clearTimeout(deadline);
      await stream.close().catch(() => undefined);
      await closeConsumer(consumer);
    }
    return seen;
  }

  /**
   * Reads topics from their beginning up to the end offsets they had when the call began (committed records only),
   * handing each record to `onMessage` in partition order and awaiting it (back-pressure). Transaction markers take
   * offsets but are no records, so a partition is finished when the consumer's fetch position passes its end, not when
   * a record at `end - 1` arrives. Meant for restores, drills and tools; the group never commits. With
   * `lastPerPartition`, only each partition's tail is read: its last records, up to that many (the outbox relay reads
   * what it may have published just before a crash).
   */
  async readToEnd(
    topics: readonly string[],
    onMessage: (message: IncomingMessage) => Promise<void> | void,
    options: { groupId: string; timeoutMs: number; lastPerPartition?: number },
  ): Promise<{ records: number; endOffsets: Map<string, bigint[]> }> {
    const endOffsets = await this.endOffsetsOf(topics);
    const ends = new Map<string, bigint>();
    for (const [topic, offsets] of endOffsets) offsets.forEach((end, partition) => end > 0n && ends.set(`${topic}:${partition}`, end));
    if (ends.size === 0) return { records: 0, endOffsets };
    let reader: Awaited<ReturnType<typeof joinGroup>>;
    if (options.lastPerPartition === undefined) reader = await this.#readFromEarliest(topics, options.groupId);
    else {
      const starts = await this.#tailStarts(endOffsets, BigInt(options.lastPerPartition));
      // A partition whose records are all gone (retention) has nothing to read.
      for (const key of [...ends.keys()]) if (!starts.some((start) => `${start.topic}:${start.partition}` === key)) ends.delete(key);
      if (ends.size === 0) return { records: 0, endOffsets };
      reader = await this.#readFrom(starts, options.groupId);
    }
    const { consumer, stream } = reader;
    const finished = (): boolean => stream.readableLength === 0 && [...ends].every(([partition, end]) => (stream.offsetsToFetch.get(partition) ?? 0n) >= end);
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      void stream.close();
    }, options.timeoutMs);
    // A fetch that brought only markers (or nothing) pushes no record, so the loop below would wait for ever.
    const onFetch = (): void => void (finished() && stream.close());
    stream.on('fetch', onFetch);
    let records = 0;
    try {
      for await (const message of stream) {
        const incoming = toIncoming(message);
        const end = ends.get(`${incoming.topic}:${incoming.partition}`);
        if (end !== undefined && incoming.offset < end) {
          await onMessage(incoming);
          records += 1;
        }
        if (finished()) break;
      }
    } finally {
      clearTimeout(deadline);
      stream.off('fetch', onFetch);
      await stream.close().catch(() => undefined);
      await closeConsumer(consumer);
    }
    if (timedOut)
      throw new AppError('KAFKA_READ_TIMEOUT', 'unavailable', `reading ${topics.length} topic(s) to their end took longer than ${options.timeoutMs} ms`, {
        retriable: true,
      });
    return { records, endOffsets };
  }

  /**
   * Reads a topic from its beginning and keeps following it, committed records only, handing each record to
   * `onMessage` in partition order (meant for small compacted topics such as a connector's offsets: give each caller
   * a fresh group, so that it rebuilds its state from the whole topic). A stream that dies (a broker restart) is
   * replaced, as `consumeBatches` does, and resumes where the group's offsets say. `stop()` ends it.
   */
  follow(
    topic: string,
    onMessage: (message: IncomingMessage) => void,
    options: { groupId: string; onError?: (error: unknown) => void },
  ): Promise<Subscription> {
    return this.subscribe({
      groupId: options.groupId,
      topics: [topic],
      startAt: 'earliest',
      handle: (batch) => {
        for (const message of batch) onMessage(message);
        return Promise.resolve();
      },
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
  }

  /** Where each non-empty partition's last `count` records begin (never before the log's first offset). */
  async #tailStarts(endOffsets: ReadonlyMap<string, bigint[]>, count: bigint): Promise<Array<{ topic: string; partition: number; offset: bigint }>> {
    const consumer = new Consumer({
      clientId: `${this.#options.clientId}-offsets`,
      bootstrapBrokers: this.#options.brokers,
      ...clientSasl(this.#options.sasl),
      groupId: 'crm-offset-probe',
    });
    try {
      const firsts = await consumer.listOffsets({ topics: [...endOffsets.keys()], timestamp: -2n });
      const starts: Array<{ topic: string; partition: number; offset: bigint }> = [];
      for (const [topic, ends] of endOffsets)
        ends.forEach((end, partition) => {
          const first = firsts.get(topic)?.[partition] ?? 0n;
          if (end > first) starts.push({ topic, partition, offset: end - count > first ? end - count : first });
        });
      return starts;
    } finally {
      await closeConsumer(consumer);
    }
  }

  /** A reader's consumer (a group of its own, never committing) and its stream from the given offsets. */
  #readFrom(offsets: Array<{ topic: string; partition: number; offset: bigint }>, groupId: string) {
    return this.#reader(groupId, { topics: [...new Set(offsets.map((offset) => offset.topic))], mode: MessagesStreamModes.MANUAL, offsets });
  }

  /** A reader's consumer (a group of its own, never committing) and its stream from the earliest offsets. */
  #readFromEarliest(topics: readonly string[], groupId: string) {
    return this.#reader(groupId, { topics: [...topics], mode: MessagesStreamModes.EARLIEST });
  }

  #reader(groupId: string, consume: Parameters<Consumer<Buffer, Buffer, Buffer, Buffer>['consume']>[0]) {
    return joinGroup(
      () =>
        new Consumer<Buffer, Buffer, Buffer, Buffer>({
          clientId: `${this.#options.clientId}-reader`,
          bootstrapBrokers: this.#options.brokers,
          ...clientSasl(this.#options.sasl),
          groupId,
          autocommit: false,
          maxWaitTime: 200,
        }),
      consume,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.#producer?.close(), this.#admin?.close()]);
    this.#producer = undefined;
    this.#admin = undefined;
  }

  private admin(): Admin {
    this.#admin ??= new Admin({
      clientId: `${this.#options.clientId}-admin`,
      bootstrapBrokers: this.#options.brokers,
      ...clientSasl(this.#options.sasl),
      retries: 1,
    });
    return this.#admin;
  }

  private producer(): Producer<Buffer, Buffer, Buffer, Buffer> {
    this.#producer ??= new Producer({
      clientId: `${this.#options.clientId}-producer`,
      bootstrapBrokers: this.#options.brokers,
      ...clientSasl(this.#options.sasl),
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
    return this.#producer;
  }
}

export class KafkaHealthCheck implements HealthCheck {
  readonly name: string;

  constructor(private readonly cluster: KafkaCluster) {
    this.name = `kafka-${cluster.name}`;
  }

  check(): Promise<void> {
    return this.cluster.ping();
  }
}
