import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConsentsViewedSchema, SubjectRequestPackageDownloadedSchema } from '@crm/contracts';
import { protoEvent, type EventMetadata, type NewEvent } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { AccessEventPublisher, accessTopic, CLOCK, type Clock } from '@crm/platform';

/**
 * Reading what consent keeps about a person is processing (GDPR Art. 4(2)), recorded like contacts' reads: one event
 * on `crm.access.v1.events` (the platform's `AccessEventPublisher`) per answer that showed a contact's consents with
 * their history and evidence (`ConsentsViewed`), and per request package downloaded (`SubjectRequestPackageDownloaded`);
 * the audit trail ingests them. Ids, counts and codes only, never a value. Sent before the answer leaves, best effort
 * like the platform's other access recorders: when Kafka cannot take it the answer is not held back, and the
 * (PII-free) failure is logged.
 */
@Injectable()
export class ConsentAccessRecorder {
  readonly #logger = new Logger('ConsentAccess');
  readonly #events: AccessEventPublisher;

  constructor(
    @Inject(KAFKA_PRIMARY) kafka: KafkaCluster,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.#events = new AccessEventPublisher(kafka, accessTopic('consent'));
  }

  consentsViewed(metadata: EventMetadata, view: { contactId: string; historyCount: number; evidenceCount: number }): Promise<void> {
    const event = protoEvent(ConsentsViewedSchema, view, view.contactId);
    return this.#publish(metadata, view.contactId, event, 'ConsentsViewed');
  }

  packageDownloaded(metadata: EventMetadata, download: { requestId: string; contactId: string; format: string }): Promise<void> {
    const event = protoEvent(SubjectRequestPackageDownloadedSchema, download, download.contactId);
    return this.#publish(metadata, download.contactId, event, 'SubjectRequestPackageDownloaded');
  }

  async #publish(metadata: EventMetadata, contactId: string, event: NewEvent, name: string): Promise<void> {
    try {
      await this.#events.publish([this.#events.message(event, metadata, contactId, this.clock())]);
    } catch (error) {
      this.#logger.warn(`could not publish ${name} (${error instanceof Error ? error.name : 'error'})`);
    }
  }
}
