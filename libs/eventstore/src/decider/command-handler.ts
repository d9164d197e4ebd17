import type { PoolClient } from 'pg';
import type { EventEnvelope } from '@crm/contracts';
import { StreamVersionConflict } from '../store/event-store.errors.js';
import type { EventStore } from '../store/event-store.js';
import type { AppendResult, EventMetadata, NewEvent } from '../store/event.types.js';
import { fold, type Decider } from './decider.js';

/**
 * Turns domain events into stored events and back. Asynchronous because sealing and opening personal data needs the
 * subject's key (see @crm/crypto): PII is encrypted before an event ever leaves the process.
 */
export interface EventCodec<Event> {
  encode(event: Event): Promise<NewEvent>;
  decode(envelope: EventEnvelope): Promise<Event>;
}

export interface HandleOptions {
  /** How often to reload and decide again when another writer got there first. */
  maxConflictRetries?: number;
  /** Join the caller's transaction (no conflict retries then: the caller owns the transaction). */
  client?: PoolClient;
}

export interface HandleResult<State, Event> extends AppendResult {
  events: Event[];
  state: State;
}

/**
 * Load → fold → decide → append with the expected version. Only a version conflict is retried (emmett's rule):
 * every other failure is either the command's fault or an infrastructure problem for the caller to see.
 */
export async function handleCommand<Command, State, Event>(
  store: EventStore,
  decider: Decider<Command, State, Event>,
  codec: EventCodec<Event>,
  streamId: string,
  command: Command,
  metadata: EventMetadata,
  options: HandleOptions = {},
): Promise<HandleResult<State, Event>> {
  const maxRetries = options.client === undefined ? (options.maxConflictRetries ?? 3) : 0;
  for (let attempt = 0; ; attempt++) {
    const recorded = await store.readStream(streamId);
    const history = await Promise.all(recorded.map((event) => codec.decode(event.envelope)));
    const state = fold(decider, history);
    const events = decider.decide(command, state);
    const version = recorded.at(-1)?.streamVersion ?? 0n;
    if (events.length === 0) return { streamId, nextExpectedVersion: version, eventIds: [], events, state };
    try {
      const encoded = await Promise.all(events.map((event) => codec.encode(event)));
      const result = await store.append(streamId, version === 0n ? 'no_stream' : version, encoded, metadata, options.client);
      return { ...result, events, state: events.reduce((current, event) => decider.evolve(current, event), state) };
    } catch (error) {
      if (!(error instanceof StreamVersionConflict) || attempt >= maxRetries) throw error;
    }
  }
}
