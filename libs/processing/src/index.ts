// @crm/processing — the platform's one event processor (projectors and reactors) and its Nest transport
// (docs/event-backbone.md).
export type {
  ProcessedEvent,
  ProcessorHandler,
  ProcessorInvocation,
  ProcessorOptions,
  ProcessorRole,
  ProjectorOptions,
  ReactorOptions,
} from './processor.types.js';
export { EventProcessor, type ProcessorRuntime } from './event-processor.js';
export { processorMigrations } from './processor.migrations.js';
export {
  Projector,
  Reactor,
  RethrowRpcExceptions,
  PROCESSOR_EXTRAS,
  type Declaration,
  type ProjectorDeclaration,
  type ReactorDeclaration,
  type Resolve,
} from './processor.decorators.js';
export { KafkaEventTransport, KAFKA_EVENT_TRANSPORT, ProcessorContext, type KafkaEventTransportOptions } from './kafka-event.transport.js';
export { deadLetterTopic, deadLetterMessage, type DeadLetter } from './dead-letters.js';
export { isRetriable, backoffMs, errorCode } from './retry-policy.js';
export { projectionProcessor, type Projection, type ProjectedEvent } from './projection.js';
