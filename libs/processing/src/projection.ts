import type { Pool, PoolClient } from 'pg';
import type { EventEnvelope } from '@crm/contracts';
import type { KafkaCluster } from '@crm/messaging';
import { EventProcessor, type ProcessorRuntime } from './event-processor.js';

export interface ProjectedEvent {
  envelope: EventEnvelope;
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * A read model written one event at a time, for code that runs a projector without Nest (tests, the benchmark).
 * Replay-safe by contract: `apply` writes only through `tx`, which the processor commits with the checkpoint.
 */
export interface Projection {
  /** Stable name: checkpoint key and consumer group, e.g. `contacts.search-index`. */
  readonly name: string;
  readonly topics: readonly string[];
  apply(tx: PoolClient, event: ProjectedEvent): Promise<void>;
  /** Empties the read model before a rebuild. */
  reset(tx: PoolClient): Promise<void>;
}

/** The projector processor of a `Projection`: its bookkeeping in `schema`, the read model wherever it writes. */
export function projectionProcessor(
  pool: Pool,
  kafka: KafkaCluster,
  projection: Projection,
  options: { schema: string; maxBatchSize?: number } & ProcessorRuntime,
): EventProcessor {
  const { schema, maxBatchSize, ...runtime } = options;
  return new EventProcessor(
    pool,
    kafka,
    async (events, invocation) => {
      for (const event of events) await projection.apply(invocation.tx!, event as ProjectedEvent);
    },
    {
      role: 'projector',
      name: projection.name,
      topics: projection.topics,
      schema,
      reset: (tx) => projection.reset(tx),
      ...(maxBatchSize === undefined ? {} : { maxBatchSize }),
    },
    runtime,
  );
}
