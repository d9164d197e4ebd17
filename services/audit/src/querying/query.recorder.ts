import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActorType, AuditTrailQueriedSchema, create, EventEnvelopeSchema, LegalBasis, toBinary } from '@crm/contracts';
import { createEnvelope, ENVELOPE_CONTENT_TYPE, uuidv7 } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import type { AuditConfig } from '../audit.config.js';
import { AUDIT_CONFIG } from '../audit.tokens.js';

/** Access events, where the platform records who was shown personal data (or data about it). */
export const ACCESS_TOPIC = 'crm.access.v1.events';
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
  #topicReady: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA_PRIMARY) private readonly kafka: KafkaCluster,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  async record(query: RecordedQuery): Promise<void> {
    this.#logger.log({ query: query.query, filters: query.filters, results: query.resultCount, actorId: query.actorId, correlationId: query.correlationId });
    try {
      this.#topicReady ??= this.kafka.ensureTopics([{ name: this.config.accessTopic, partitions: 3 }]);
      await this.#topicReady;
      const payload = create(AuditTrailQueriedSchema, { query: query.query, filters: query.filters, resultCount: query.resultCount });
      const envelope = createEnvelope(
        `audit-query-${uuidv7()}`,
        1n,
        { type: AuditTrailQueriedSchema.typeName, payloadType: AuditTrailQueriedSchema.typeName, payload: toBinary(AuditTrailQueriedSchema, payload), subjectId: query.subjectId ?? '' },
        { actor: { id: query.actorId, type: ActorType.USER }, purpose: OVERSIGHT_PURPOSE, legalBasis: LegalBasis.LEGAL_OBLIGATION, correlationId: query.correlationId },
        new Date(),
      );
      await this.kafka.publish(this.config.accessTopic, [
        {
          key: query.subjectId ?? query.actorId,
          value: toBinary(EventEnvelopeSchema, envelope),
          headers: { 'content-type': ENVELOPE_CONTENT_TYPE, 'event-type': envelope.eventType, 'event-id': envelope.eventId },
        },
      ]);
    } catch (error) {
      this.#topicReady = undefined;
      this.#logger.warn({ err: error, query: query.query }, 'could not publish AuditTrailQueried');
    }
  }
}
