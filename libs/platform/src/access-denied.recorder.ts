import { toBinary } from '@bufbuild/protobuf';
import type { AccessDenied } from '@crm/auth';
import { ActorType, create, EventEnvelopeSchema, LegalBasis, PermissionDeniedSchema } from '@crm/contracts';
import { createEnvelope, ENVELOPE_CONTENT_TYPE, uuidv7 } from '@crm/eventstore';
import type { Logger } from '@crm/logging';
import type { KafkaCluster } from '@crm/messaging';

/** Refused requests, for the DPO's audit trail: who asked for which route without the right permission. */
export const ACCESS_TOPIC = 'crm.access.v1.events';

/**
 * Publishes `PermissionDenied` straight to Kafka: a denial changes no data, so there is no transaction to join and
 * no outbox to write; if Kafka is down the denial is still answered (and logged), the event is what is lost.
 */
export class AccessDeniedRecorder {
  #topicReady: Promise<void> | undefined;

  constructor(
    private readonly kafka: KafkaCluster,
    private readonly logger: Logger,
  ) {}

  async record(denied: AccessDenied, correlationId: string): Promise<void> {
    try {
      this.#topicReady ??= this.kafka.ensureTopics([{ name: ACCESS_TOPIC, partitions: 3 }]);
      await this.#topicReady;
      const payload = create(PermissionDeniedSchema, { userId: denied.sub, route: denied.route, requiredPermissions: [...denied.permissions] });
      const envelope = createEnvelope(
        `access-${uuidv7()}`,
        1n,
        { type: PermissionDeniedSchema.typeName, payloadType: PermissionDeniedSchema.typeName, payload: toBinary(PermissionDeniedSchema, payload), subjectId: denied.sub },
        { actor: { id: denied.sub, type: ActorType.USER }, purpose: 'access-control', legalBasis: LegalBasis.LEGITIMATE_INTERESTS, correlationId },
        new Date(),
      );
      await this.kafka.publish(ACCESS_TOPIC, [
        {
          key: denied.sub,
          value: toBinary(EventEnvelopeSchema, envelope),
          headers: { 'content-type': ENVELOPE_CONTENT_TYPE, 'event-type': envelope.eventType, 'event-id': envelope.eventId },
        },
      ]);
    } catch (error) {
      this.#topicReady = undefined;
      this.logger.warn({ err: error, route: denied.route, reason: denied.reason }, 'could not publish PermissionDenied');
    }
  }
}
