import type { Clock } from '@crm/crypto';
import type { Logger } from '@crm/logging';
import type { KafkaCluster } from '@crm/messaging';
import { EventProcessor, type ProcessedEvent, type ProcessorInvocation, type ProjectorDeclaration } from '@crm/processing';
import type { EntriesStore } from '../trail/entries.store.js';
import type { AuditLogView } from '../tree-heads/log.view.js';
import { prepareEntry, recordEvents, type BatchOutcome } from './audit-batch.writer.js';

/** The audit ingest's processor name: its checkpoint key in the audit schema. */
export const AUDIT_INGEST = 'audit-ingest';

export interface AuditIngestSettings {
  /** Postgres schema of the audit store; the processor's checkpoints live beside the entries. */
  schema: string;
  /** Which topics are event topics: every service's `crm.<service>.v1.events` and `crm.access.v1.<service>` (and the legacy `crm.access.v1.events`). */
  topicPattern: RegExp;
  /** How often the cluster's topic list is read again: services create their topics when they first start. */
  discoveryIntervalMs: number;
  maxBatchSize?: number;
}

/**
 * The audit ingest as a projector over every event topic. Its consumer group is named after the log's id, so a
 * fresh audit database reads every topic from the beginning; the checkpoints that count are the processor's, in
 * the audit database, committed with the entries. Deduplication is by event id (`dedupe: 'none'` for stream
 * versions): access events are one-event streams, and an event id is recorded once however it arrives.
 */
export function auditIngestDeclaration(settings: AuditIngestSettings, logId: string): ProjectorDeclaration {
  return {
    name: AUDIT_INGEST,
    schema: settings.schema,
    topicPattern: settings.topicPattern,
    discoveryIntervalMs: settings.discoveryIntervalMs,
    group: `audit.${logId}`,
    dedupe: 'none',
    // Every envelope is recorded, read or not: a trail with a hole is worse than an entry without touched fields.
    unknownPayloadTypes: 'accept',
    maxBatchSize: settings.maxBatchSize ?? 1000,
    prepare: prepareEntry,
  };
}

/**
 * Records a consumed batch in the projector's transaction; once it committed, the in-memory Merkle tree follows.
 * Messages that are not envelopes never get here: the processor dead-letters them (`EVENT_DECODE_FAILED`).
 */
export class AuditIngestProjector {
  constructor(
    private readonly store: EntriesStore,
    private readonly view: AuditLogView,
    /** `now` stamps when each entry was recorded: the service's injected clock. */
    private readonly options: { now: Clock; onBatch?: (outcome: BatchOutcome) => void },
  ) {}

  async handle(events: readonly ProcessedEvent[], invocation: Pick<ProcessorInvocation, 'tx' | 'afterCommit'>): Promise<void> {
    const outcome = await recordEvents(this.store, invocation.tx!, events, this.options.now);
    invocation.afterCommit(() => {
      this.view.offer(outcome.appended);
      this.options.onBatch?.(outcome);
    });
  }
}

/** The same projector run without Nest (integration tests, the benchmark); the service hosts it as a controller. */
export function auditIngestProcessor(
  kafka: KafkaCluster,
  store: EntriesStore,
  view: AuditLogView,
  logId: string,
  options: Omit<AuditIngestSettings, 'schema'> & { logger?: Logger; now: Clock; onBatch?: (outcome: BatchOutcome) => void },
): EventProcessor {
  const { logger, now, onBatch, ...settings } = options;
  const projector = new AuditIngestProjector(store, view, { now, ...(onBatch === undefined ? {} : { onBatch }) });
  return new EventProcessor(
    store.pool,
    kafka,
    (events, invocation) => projector.handle(events as ProcessedEvent[], invocation),
    { role: 'projector', ...auditIngestDeclaration({ ...settings, schema: store.schema }, logId), name: AUDIT_INGEST },
    logger === undefined ? {} : { logger },
  );
}
