import type { PoolClient } from 'pg';
import type { EventEnvelope } from '@crm/contracts';
import type { Decider } from '../decider/decider.js';
import type { NewEvent } from '../store/event.types.js';

/**
 * Turns domain events into stored events and back. Asynchronous because sealing and opening personal data needs the
 * subject's key (see @crm/crypto): PII is encrypted before an event ever leaves the process.
 */
export interface EventCodec<Event> {
  encode(event: Event): Promise<NewEvent>;
  decode(envelope: EventEnvelope): Promise<Event>;
}

/** The state a decision is taken on, and the stream version it is the state of. */
export interface LoadedState<State> {
  state: State;
  version: bigint;
}

/** A command refused while its state was loaded: it fails with `refused`, before anything of its group is written. */
export interface LoadRefused {
  refused: unknown;
}

/** What a command changed, handed to the model's state rows in the command's own transaction. */
export interface StateChange<Command, State, Event> {
  streamId: string;
  command: Command;
  /** The stream's version after the events (equals the loaded version when the command decided nothing). */
  version: bigint;
  state: State;
  events: readonly Event[];
  /** The ids the events were stored under, in order (a state row may point at the event that made it). */
  eventIds: readonly string[];
  /** The pipeline's clock at the decision: every row written for it carries the same time. */
  at: Date;
}

/**
 * One aggregate's write side, as the command pipeline runs it: which stream a command goes to, how the state is
 * loaded, the pure decider, the codec that seals, and (optionally) the state rows kept with the events.
 *
 * Loading is the model's choice. `foldStream(...)` reads the stream and folds it (simple, and right for short
 * streams). A model whose streams grow long keeps a state row written in the same transaction as every event of the
 * stream — so it *is* the fold — and loads that row `FOR UPDATE` instead; such a model must keep a test that the row
 * equals the fold of the stream.
 */
export interface WriteModel<Command, State, Event> {
  readonly decider: Decider<Command, State, Event>;
  readonly codec: EventCodec<Event>;
  streamOf(command: Command): string;
  load(tx: PoolClient, command: Command, streamId: string): Promise<LoadedState<State>>;
  /**
   * `load` for a commit group's commands (distinct streams), in their order, in as few statements as possible. Where
   * `load` would throw for one command (e.g. its subject is gone), the entry is `{ refused: error }`: that command
   * fails alone and the group goes on. Without it the pipeline calls `load` once per command.
   */
  loadMany?(tx: PoolClient, commands: readonly Command[], streamIds: readonly string[]): Promise<Array<LoadedState<State> | LoadRefused>>;
  /** Writes the state rows (read model kept equal to the fold) for the new state, inside the command's transaction. */
  save?(tx: PoolClient, change: StateChange<Command, State, Event>): Promise<void>;
  /** `save` for a commit group's changes (distinct streams) at once; without it the pipeline calls `save` for each. */
  saveMany?(tx: PoolClient, changes: ReadonlyArray<StateChange<Command, State, Event>>): Promise<void>;
  /**
   * Work for a whole group of commands before their transaction opens, done once for all of them (e.g. creating the
   * data keys of a group's new subjects in one key-vault transaction instead of one each).
   */
  prepare?(commands: readonly Command[]): Promise<void>;
}
