import type { Pool, PoolClient } from 'pg';
import { fold, type Decider } from '../decider/decider.js';
import { StreamVersionConflict } from '../store/event-store.errors.js';
import type { EventStore } from '../store/event-store.js';
import type { EventMetadata } from '../store/event.types.js';
import type { EventCodec, LoadedState, WriteModel } from './write-model.js';

export interface CommandOutcome<State, Event> {
  streamId: string;
  /** The stream's version after the command (unchanged when it decided nothing). */
  version: bigint;
  state: State;
  events: Event[];
  eventIds: string[];
  /** The pipeline's clock at the decision (the time its state rows carry). */
  at: Date;
}

export interface ExecuteOptions {
  /**
   * The version the caller based its command on (`If-Match`). A stream at another version refuses the command with
   * `STREAM_VERSION_CONFLICT`; it is never retried, because only the caller can decide again on what changed.
   */
  expectedVersion?: bigint;
}

export interface CommandPipelineOptions {
  /** Retries when a concurrent writer appended between load and append (fold-loaded models only). */
  conflictRetries?: number;
  clock?: () => Date;
}

/**
 * The one write path of every service: load state → decide (pure) → seal → append events + outbox + state rows, in
 * one Postgres transaction. An event is stored (and so published) exactly when the decision and its state rows are.
 *
 * Only a version conflict between concurrent writers is retried, by deciding again on the new state (emmett's rule);
 * a stale `expectedVersion` is the caller's to resolve, and every other failure is either the command's fault or an
 * infrastructure problem the caller must see.
 */
export class CommandPipeline {
  readonly #retries: number;
  readonly #clock: () => Date;

  constructor(
    readonly pool: Pool,
    readonly store: EventStore,
    options: CommandPipelineOptions = {},
  ) {
    this.#retries = options.conflictRetries ?? 3;
    this.#clock = options.clock ?? (() => new Date());
  }

  async execute<Command, State, Event>(
    model: WriteModel<Command, State, Event>,
    command: Command,
    metadata: EventMetadata,
    options: ExecuteOptions = {},
  ): Promise<CommandOutcome<State, Event>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#inTransaction((tx) => this.#run(tx, model, command, metadata, options));
      } catch (error) {
        const retriable = error instanceof StreamVersionConflict && options.expectedVersion === undefined && attempt < this.#retries;
        if (!retriable) throw error;
      }
    }
  }

  /**
   * Runs commands in one transaction, in order, each deciding on the state the previous ones left (a bulk import's
   * batch): all are stored or none. Not retried: a conflict fails the batch for the caller to split or repeat.
   */
  async executeAll<Command, State, Event>(
    model: WriteModel<Command, State, Event>,
    commands: readonly Command[],
    metadata: EventMetadata,
  ): Promise<Array<CommandOutcome<State, Event>>> {
    return this.#inTransaction(async (tx) => {
      const outcomes: Array<CommandOutcome<State, Event>> = [];
      for (const command of commands) outcomes.push(await this.#run(tx, model, command, metadata, {}));
      return outcomes;
    });
  }

  async #run<Command, State, Event>(
    tx: PoolClient,
    model: WriteModel<Command, State, Event>,
    command: Command,
    metadata: EventMetadata,
    options: ExecuteOptions,
  ): Promise<CommandOutcome<State, Event>> {
    const streamId = model.streamOf(command);
    const { state, version } = await model.load(tx, command, streamId);
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new StreamVersionConflict(streamId, String(options.expectedVersion), String(version));
    }
    const events = model.decider.decide(command, state);
    const at = this.#clock();
    if (events.length === 0) return { streamId, version, state, events, eventIds: [], at };
    const encoded = await Promise.all(events.map((event) => model.codec.encode(event)));
    const appended = await this.store.append(streamId, version === 0n ? 'no_stream' : version, encoded, metadata, tx);
    const next = events.reduce((current, event) => model.decider.evolve(current, event), state);
    await model.save?.(tx, { streamId, command, version: appended.nextExpectedVersion, state: next, events, eventIds: appended.eventIds, at });
    return { streamId, version: appended.nextExpectedVersion, state: next, events, eventIds: appended.eventIds, at };
  }

  async #inTransaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * The default way to load: read the stream inside the command's transaction and fold it. Two writers that both read
 * version n race on the append; the loser gets a version conflict and the pipeline decides again.
 */
export function foldStream<State, Event>(
  store: EventStore,
  decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>,
  codec: Pick<EventCodec<Event>, 'decode'>,
): (tx: PoolClient, _command: unknown, streamId: string) => Promise<LoadedState<State>> {
  return async (tx, _command, streamId) => {
    const recorded = await store.readStream(streamId, 1n, tx);
    const history = await Promise.all(recorded.map((event) => codec.decode(event.envelope)));
    return { state: fold(decider, history), version: recorded.at(-1)?.streamVersion ?? 0n };
  };
}
