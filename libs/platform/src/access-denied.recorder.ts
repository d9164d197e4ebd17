import type { AccessDenied } from '@crm/auth';
import { ActorType, LegalBasis, PermissionDeniedSchema } from '@crm/contracts';
import { protoEvent } from '@crm/eventstore';
import type { Logger } from '@crm/logging';
import type { KafkaCluster } from '@crm/messaging';
import { AccessEventPublisher, accessTopic } from './access-events.js';

/**
 * Refused requests, for the DPO's audit trail: who asked for which route without the right permission. If Kafka
 * is down the denial is still answered (and logged); the event is what is lost.
 */
export class AccessDeniedRecorder {
  readonly #events: AccessEventPublisher;

  constructor(
    kafka: KafkaCluster,
    private readonly logger: Logger,
    service: string,
  ) {
    this.#events = new AccessEventPublisher(kafka, accessTopic(service));
  }

  async record(denied: AccessDenied, correlationId: string): Promise<void> {
    try {
      const event = protoEvent(PermissionDeniedSchema, { userId: denied.sub, route: denied.route, requiredPermissions: [...denied.permissions] }, denied.sub);
      const metadata = {
        actor: { id: denied.sub, type: ActorType.USER },
        purpose: 'access-control',
        legalBasis: LegalBasis.LEGITIMATE_INTERESTS,
        correlationId,
      };
      await this.#events.publish([this.#events.message(event, metadata, denied.sub)]);
    } catch (error) {
      this.logger.warn({ err: error, route: denied.route, reason: denied.reason }, 'could not publish PermissionDenied');
    }
  }
}
