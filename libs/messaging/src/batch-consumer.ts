import { setTimeout as delay } from 'node:timers/promises';
import { Consumer, findErrorBy, MessagesStreamFallbackModes, MessagesStreamModes, type Message } from '@platformatic/kafka';
import { clientSasl, type IncomingMessage, type KafkaSasl } from './kafka-cluster.js';

export interface BatchConsumerOptions {
  brokers: string[];
  sasl?: KafkaSasl | undefined;
  clientId: string;
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts: projections start from the beginning of history. */
  startAt: 'earliest' | 'latest';
  maxBatchSize?: number;
  /**
   * Handles one batch. When it resolves, the batch's offsets are committed to Kafka. Kafka's offsets are only a
   * hint: projections keep their own checkpoint in Postgres, so a batch redelivered after a crash has no effect.
   */
  handle: (batch: IncomingMessage[]) => Promise<void>;
  /**
   * Called with each message as it arrives, before it waits for its batch: CPU work done here (decoding, say) runs
   * while the previous batch is still being handled, typically waiting on a database. It must not throw, and the
   * handler must not depend on it having run (a message may arrive and be handed over in one go).
   */
  onArrival?: (message: IncomingMessage) => void;
  onError?: (error: unknown) => void;
  /** How long a batch's offset commit may take before the loop goes on without it (default 15 s; see `commitOffsets`). */
  commitPatienceMs?: number;
}

export interface Subscription {
  stop(): Promise<void>;
}

export function toIncoming(message: Message<Buffer, Buffer, Buffer, Buffer>): IncomingMessage {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key === undefined || message.key === null ? undefined : message.key.toString(),
    value: message.value,
    headers: Object.fromEntries([...message.headers].map(([k, v]) => [k.toString(), v.toString()])),
  };
}

/**
 * Closes a consumer whatever state it is in. `close` leaves the consumer group first and, when that fails (a
 * coordinator that moved, a broker that went away), keeps the client open and rejects: its sockets would then hold
 * the process alive. They are closed regardless; nothing is left to leave the group with anyway.
 */
export async function closeConsumer<K, V, HK, HV>(consumer: Consumer<K, V, HK, HV>): Promise<void> {
  try {
    await consumer.close(true);
  } catch {
    await consumer.connections.close().catch(() => undefined);
  }
}

/** Group-coordinator answers that only say "not yet": a fresh cluster is still loading its offsets topic, or the coordinator moved. */
const COORDINATOR_NOT_READY = ['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE'];
const JOIN_PATIENCE_MS = 120_000;

export function coordinatorNotReady(error: unknown): boolean {
  return error instanceof Error && COORDINATOR_NOT_READY.some((code) => findErrorBy(error, 'apiId', code) !== null);
}

const COMMIT_PATIENCE_MS = 15_000;

/**
 * Commits the last offset of each partition in `consumed`, waiting at most `patienceMs`. A commit requested while its
 * consumer is not active (mid-rejoin) is queued by the client until the consumer rejoins; a consumer that was replaced
 * meanwhile never does, and the commit would never settle: the loop waiting on it stopped for good, with its stream
 * paused (seen after a broker restart). Offsets are only a hint here, so a commit that takes too long is given up with
 * `KAFKA_COMMIT_ABANDONED`; the messages come again to whoever next holds the partitions, and the handlers absorb them.
 */
export async function commitOffsets(consumed: ReadonlyArray<Pick<Message, 'topic' | 'partition' | 'commit'>>, patienceMs: number): Promise<void> {
  const lastByPartition = new Map<string, Pick<Message, 'commit'>>();
  for (const message of consumed) lastByPartition.set(`${message.topic}:${message.partition}`, message);
  let timer: NodeJS.Timeout | undefined;
  const patience = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(Object.assign(new Error(`offset commit did not settle within ${patienceMs} ms; left to the next consumer`), { code: 'KAFKA_COMMIT_ABANDONED' })),
      patienceMs,
    );
  });
  try {
    await Promise.race([Promise.all([...lastByPartition.values()].map((message) => message.commit())), patience]);
  } finally {
    clearTimeout(timer);
  }
}

type BufferConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
type ConsumeOptions = Parameters<BufferConsumer['consume']>[0];
type Joined = { consumer: BufferConsumer; stream: Awaited<ReturnType<BufferConsumer['consume']>> };

/**
 * Joins the consumer group and opens the stream. On a fresh (or busy) cluster the group coordinator may answer
 * NOT_COORDINATOR for a while after the offsets topic was created; the client gives up after a few tries, so the join
 * is tried again with a new client (up to two minutes) instead of failing the caller (a service's start, say). A
 * consumer that cannot start still opened connections: it is closed before anything else is tried or the failure is
 * passed on.
 */
export async function joinGroup(
  create: () => BufferConsumer,
  consume: ConsumeOptions,
  onError: (error: unknown, consumer: BufferConsumer) => void = () => undefined,
): Promise<Joined> {
  const giveUpAt = Date.now() + JOIN_PATIENCE_MS;
  for (let attempt = 1; ; attempt++) {
    const consumer = create();
    // The client emits 'error' on the consumer itself when a rejoin in the background fails (a broker went away):
    // without a listener Node would throw it and end the process.
    consumer.on('error', (error: unknown) => onError(error, consumer));
    try {
      return { consumer, stream: await consumer.consume(consume) };
    } catch (error) {
      await closeConsumer(consumer);
      if (!coordinatorNotReady(error) || Date.now() >= giveUpAt) throw error;
      await delay(Math.min(250 * attempt, 2_000));
    }
  }
}

/**
 * Consumes in batches: messages accumulate while the previous batch is being handled (up to `maxBatchSize`, then
 * the stream is paused for backpressure), so a slow handler gets bigger batches instead of a growing queue.
 *
 * A stream that fails (the client destroys it when a broker goes away for longer than its retries, say a broker
 * restart) is replaced: the consumer is closed and the group joined again with a new one, with backoff, until it
 * works or `stop()` is called. The new one starts from the group's committed offsets; what the old one had handed
 * over but not committed comes again, which the handlers absorb (they dedupe by checkpoint or event id).
 */
export async function consumeBatches(options: BatchConsumerOptions): Promise<Subscription> {
  const maxBatchSize = options.maxBatchSize ?? 500;
  const join = () =>
    joinGroup(
      () =>
        new Consumer<Buffer, Buffer, Buffer, Buffer>({
          clientId: options.clientId,
          bootstrapBrokers: options.brokers,
          ...clientSasl(options.sasl),
          groupId: options.groupId,
          autocommit: false,
          maxWaitTime: 100,
          sessionTimeout: 10_000,
          heartbeatInterval: 1_000,
        }),
      {
        topics: options.topics,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode: options.startAt === 'earliest' ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
      },
      (error, consumer) => {
        options.onError?.(error);
        // A consumer whose rejoin failed gets no more assignments: a new one takes over.
        if (!stopped && (current as Joined | undefined)?.consumer === consumer) replacing ??= replace().finally(() => (replacing = undefined));
      },
    );
  let stopped = false;
  let replacing: Promise<void> | undefined;
  // Assigned before any error can arrive but the first join's own (which finds no current consumer yet).
  let current!: Joined;
  current = await join();
  /** Messages as consumed (their `commit`) and as handed over, in arrival order. */
  const buffer: Array<{ consumed: Message<Buffer, Buffer, Buffer, Buffer>; incoming: IncomingMessage }> = [];
  const { onArrival } = options;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const attach = ({ stream }: typeof current): void => {
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      const incoming = toIncoming(message);
      onArrival?.(incoming);
      buffer.push({ consumed: message, incoming });
      if (buffer.length >= maxBatchSize) stream.pause();
      signal();
    });
    stream.on('error', (error: unknown) => options.onError?.(error));
    // Destroyed (after an error) or closed by the client itself: not by us, so a new consumer takes over.
    stream.once('close', () => {
      if (!stopped && current.stream === stream) replacing ??= replace().finally(() => (replacing = undefined));
    });
  };
  const replace = async (): Promise<void> => {
    await closeConsumer(current.consumer);
    for (let attempt = 1; !stopped; attempt += 1) {
      await delay(Math.min(500 * attempt, 5_000));
      if (stopped) return;
      try {
        const next = await join();
        if (stopped) {
          await next.stream.close().catch(() => undefined);
          await closeConsumer(next.consumer);
          return;
        }
        current = next;
        attach(next);
        return;
      } catch (error) {
        options.onError?.(error);
      }
    }
  };
  attach(current);

  const loop = (async () => {
    while (!stopped) {
      if (buffer.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const batch = buffer.splice(0, maxBatchSize);
      const { stream } = current;
      if (stream.isPaused() && buffer.length < maxBatchSize) stream.resume();
      try {
        await options.handle(batch.map((item) => item.incoming));
      } catch (error) {
        // The handler gave up (it is stopping): leave the batch uncommitted; it is redelivered next time.
        options.onError?.(error);
        return;
      }
      await commitOffsets(
        batch.map((item) => item.consumed),
        options.commitPatienceMs ?? COMMIT_PATIENCE_MS,
      ).catch((error: unknown) => options.onError?.(error));
    }
  })();

  return {
    async stop(): Promise<void> {
      stopped = true;
      signal();
      await loop;
      await replacing;
      await current.stream.close().catch(() => undefined);
      await closeConsumer(current.consumer);
    },
  };
}
