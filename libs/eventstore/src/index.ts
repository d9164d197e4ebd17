export { uuidv7, uuidv7Timestamp } from './ids/uuidv7.js';
export { EventStore, createEnvelope, type EventStoreOptions } from './store/event-store.js';
export { protoEvent } from './store/proto-event.js';
export { StreamVersionConflict } from './store/event-store.errors.js';
export { eventStoreMigrations, quoteIdent } from './store/event-store.schema.js';
export { catchUpReplayedStreams, foldingRefold, type CatchUpOutcome, type StateRowsRefold } from './store/replayed-streams.js';
export {
  START,
  type AllPosition,
  type AppendResult,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
  type StreamAppend,
} from './store/event.types.js';
export { OutboxRelay, ENVELOPE_CONTENT_TYPE, envelopeHeaders, type OutboxRelayOptions } from './outbox/outbox-relay.js';
export { fold, type Decider } from './decider/decider.js';
export { CommandPipeline, foldStream, type CommandOutcome, type CommandPipelineOptions, type ExecuteOptions } from './pipeline/command-pipeline.js';
export type { EventCodec, LoadedState, LoadRefused, StateChange, WriteModel } from './pipeline/write-model.js';
export { recordModel, type RecordFact } from './pipeline/record.model.js';
