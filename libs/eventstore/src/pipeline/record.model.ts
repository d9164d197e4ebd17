import type { Decider } from '../decider/decider.js';
import type { NewEvent } from '../store/event.types.js';
import type { WriteModel } from './write-model.js';

/** Record that something happened (a sign-in, a revoked session), as the first and only event of a fresh stream. */
export interface RecordFact {
  streamId: string;
  event: NewEvent;
}

const decider: Decider<RecordFact, { recorded: boolean }, NewEvent> = {
  initialState: () => ({ recorded: false }),
  decide: (command, state) => {
    if (state.recorded) throw new Error(`stream ${command.streamId} is a one-event stream and was recorded already`);
    return [command.event];
  },
  evolve: () => ({ recorded: true }),
};

/**
 * Facts that protect no aggregate — authentication outcomes, session revocations — each get a stream of their own,
 * so they never contend. They still go through the one write path: decided (trivially) on a known version (a fresh
 * stream, so `no_stream`: reusing an id is refused by the store), stored with their outbox row in one transaction.
 */
export const recordModel: WriteModel<RecordFact, { recorded: boolean }, NewEvent> = {
  decider,
  codec: {
    encode: async (event) => event,
    decode: async (envelope) => ({
      type: envelope.eventType,
      payloadType: envelope.payloadType,
      payload: envelope.payload,
      schemaVersion: envelope.schemaVersion,
      subjectId: envelope.subjectId,
      keyId: envelope.keyId,
    }),
  },
  streamOf: (command) => command.streamId,
  load: async () => ({ state: decider.initialState(), version: 0n }),
};
