import type { PoolClient } from 'pg';
import type { EventEnvelope } from '@crm/contracts';

export interface ProjectedEvent {
  envelope: EventEnvelope;
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * A read model fed from event topics. Projections are replay-safe by contract: `apply` writes only through `tx`
 * (the runner commits it together with the checkpoint) and has no side effects outside Postgres. Side effects
 * (mail, jobs) belong in reactors, which are named differently because replaying them is not safe.
 */
export interface Projection {
  /** Stable name: checkpoint key and consumer group prefix, e.g. `contacts.search-index`. */
  readonly name: string;
  readonly topics: readonly string[];
  apply(tx: PoolClient, event: ProjectedEvent): Promise<void>;
  /** Empties the read model before a rebuild. */
  reset(tx: PoolClient): Promise<void>;
}
