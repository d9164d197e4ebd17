import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActorType, AuditTrailQueriedSchema, LegalBasis } from '@crm/contracts';
import { protoEvent } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { AccessEventPublisher } from '@crm/platform';
import type { AuditConfig } from '../audit.config.js';
import { AUDIT_CONFIG } from '../audit.tokens.js';

/** Purpose code of the DPO's own oversight work (GDPR Art. 5(2) accountability, Art. 39 tasks of the DPO). */
export const OVERSIGHT_PURPOSE = 'data-protection-oversight';

export interface RecordedQuery {
  actorId: string;
  correlationId: string;
  query: 'entries' | 'subject-report';
  /** Names of the filters used, never their values. */
  filters: string[];
  subjectId: string | undefined;
  resultCount: number;
}

/**
 * Reading the audit trail is itself processing: who looked at whose trail, when. Each DPO query becomes an
 * `AuditTrailQueried` event on the access topic, which this very service then records like any other access, so
 * the subject's report shows that their trail was read. Best effort like the platform's denial recorder: the
 * answer is not held back when Kafka is down; the PII-free log line is always written.
 */
@Injectable()
export class QueryRecorder {
  readonly #logger = new Logger('AuditQueries');
  readonly #events: AccessEventPublisher;

  constructor(@Inject(KAFKA_PRIMARY) kafka: KafkaCluster, @Inject(AUDIT_CONFIG) config: AuditConfig) {
    this.#events = new AccessEventPublisher(kafka, config.accessTopic);
  }

  async record(query: RecordedQuery): Promise<void> {
    this.#logger.log({ query: query.query, filters: query.filters, results: query.resultCount, actorId: query.actorId, correlationId: query.correlationId });
    try {
      const event = protoEvent(AuditTrailQueriedSchema, { query: query.query, filters: query.filters, resultCount: query.resultCount }, query.subjectId ?? '');
      const metadata = {
        actor: { id: query.actorId, type: ActorType.USER },
        purpose: OVERSIGHT_PURPOSE,
        legalBasis: LegalBasis.LEGAL_OBLIGATION,
        correlationId: query.correlationId,
      };
      await this.#events.publish([this.#events.message(event, metadata, query.subjectId ?? query.actorId)]);
    } catch (error) {
      this.#logger.warn({ err: error, query: query.query }, 'could not publish AuditTrailQueried');
    }
  }
}
