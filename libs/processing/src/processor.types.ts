import type { PoolClient } from 'pg';
import type { EventEnvelope } from '@crm/contracts';
import type { IncomingMessage } from '@crm/messaging';

/**
 * The two roles an event processor plays, named apart because replaying them is not equally safe:
 * - a **projector** writes a read model, only through the transaction it is handed; the processor commits those
 *   writes together with the per-partition checkpoint, so a redelivered or republished event has no effect and a
 *   rebuild from offset 0 is safe;
 * - a **reactor** has side effects outside that transaction (evicting a cache, sending mail). It is idempotent by
 *   event id: either its effect is naturally idempotent (`idempotency: 'natural'`, e.g. evicting a key), or the
 *   processor keeps a processed-events record (`idempotency: 'record'`) and never hands it an event id twice.
 */
export type ProcessorRole = 'projector' | 'reactor';

/** A consumed Kafka message whose value decoded as a `crm.events.v1.EventEnvelope`. */
export interface ProcessedEvent extends IncomingMessage {
  envelope: EventEnvelope;
}

interface CommonOptions {
  /** Stable name: checkpoint key, and the consumer group's default (`projection.<name>` / `reaction.<name>`). */
  name: string;
  /** The topics to consume. Without `topics` or `topicPattern`, the topic is the handler's pattern. */
  topics?: readonly string[];
  /** Consume every topic whose name matches, re-reading the cluster's topic list every `discoveryIntervalMs`. */
  topicPattern?: RegExp;
  /** Default 5 s: services create their topics when they first start. */
  discoveryIntervalMs?: number;
  /** The Kafka consumer group; default `projection.<name>` or `reaction.<name>`. */
  group?: string;
  /** Where a group without committed offsets starts. Default `earliest`. */
  startAt?: 'earliest' | 'latest';
  maxBatchSize?: number;
  /**
   * An envelope whose payload type the contracts' registry does not know: `dead-letter` (default) sends it to
   * `<topic>.dlq` as `EVENT_PAYLOAD_TYPE_UNKNOWN` (a producer newer than the consumer, or a forgery: the handler cannot
   * interpret it, and an operator replays it after an upgrade); `accept` hands it over all the same (the audit trail
   * records every event, including the ones it cannot read).
   */
  unknownPayloadTypes?: 'dead-letter' | 'accept';
}

export interface ProjectorOptions extends CommonOptions {
  role: 'projector';
  /** Postgres schema holding the processor's bookkeeping (checkpoints, stream versions, group generations). */
  schema: string;
  /**
   * `stream-version` (default): an event whose stream version the projector already applied is skipped (a relay
   * republished it under a new offset). `none`: only offsets are checked; the projector deduplicates itself.
   */
  dedupe?: 'stream-version' | 'none';
  /** Empties the read model before a rebuild from offset 0. */
  reset?: (tx: PoolClient) => Promise<void>;
  /**
   * Per-event CPU work run as the event arrives (decoded), while the previous batch's transaction is still open: a
   * cache the handler may consult, never a step it relies on. It writes nothing; a throw is ignored (the handler then
   * meets the same event unprepared).
   */
  prepare?: (event: ProcessedEvent) => void;
}

export type ReactorOptions = CommonOptions & { role: 'reactor' } & (
    | {
        /** The effect may run again for an event id without harm; Kafka's committed offsets are the only progress. */
        idempotency: 'natural';
        /** `envelope` (default): values are decoded, undecodable ones dead-lettered. `raw`: the handler gets bytes. */
        decode?: 'envelope' | 'raw';
      }
    | {
        /** The processor records every handled event id (in `schema`) and never hands it over again. */
        idempotency: 'record';
        schema: string;
      }
  );

export type ProcessorOptions = ProjectorOptions | ReactorOptions;

/** What a handler is handed beside its batch (`@Ctx()` in a Nest handler). */
export interface ProcessorInvocation {
  processor: string;
  role: ProcessorRole;
  /** Projectors only: the transaction the processor commits with the checkpoint. */
  tx: PoolClient | undefined;
  /** Runs after the transaction committed (projectors; reactors: after the batch was handled). */
  afterCommit(callback: () => void): void;
}

/** Projectors and `envelope` reactors get `ProcessedEvent`s; `raw` reactors get the messages as consumed. */
export type ProcessorHandler = (batch: ProcessedEvent[] | IncomingMessage[], invocation: ProcessorInvocation) => Promise<void>;
