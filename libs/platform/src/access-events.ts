import { EventEnvelopeSchema, toBinary } from '@crm/contracts';
import { createEnvelope, envelopeHeaders, uuidv7, type EventMetadata, type NewEvent } from '@crm/eventstore';
import type { KafkaCluster, OutgoingMessage } from '@crm/messaging';

/**
 * Where a service records who was shown, or refused, personal data (reads and denials change no data): a topic per
 * service, `crm.access.v1.<service>`, which only that service's Kafka principal may write (tools/kafka-access.ts). So
 * the topic an access event came from names the service that recorded it, and no service can put an access event in
 * another's name into the audit trail.
 */
export const accessTopic = (service: string): string => `crm.access.v1.${service}`;

/** Before topics per service: one shared access topic. Its history stays in the trail; no principal may write it any more. */
export const LEGACY_ACCESS_TOPIC = 'crm.access.v1.events';

/** Whether `topic` holds access events (a service's, or the legacy shared one). */
export const isAccessTopic = (topic: string): boolean => /^crm\.access\.v1\.[a-z]+$/.test(topic);

/**
 * Access events go straight to Kafka, not through an event store: a read or a refusal changes no data, so there is
 * no transaction to join and no outbox to write. The topic is made once per process (again after a failure).
 */
export class AccessEventPublisher {
  #topicReady: Promise<void> | undefined;

  constructor(
    private readonly kafka: KafkaCluster,
    /** The recording service's own access topic (`accessTopic(service)`). */
    private readonly topic: string,
  ) {}

  /** One event as a Kafka message: a one-event stream of its own, keyed by `key` (the subject, so it stays in order). */
  message(event: NewEvent, metadata: EventMetadata, key: string, at: Date = new Date()): OutgoingMessage {
    const envelope = createEnvelope(`access-${uuidv7()}`, 1n, event, metadata, at);
    return { key, value: toBinary(EventEnvelopeSchema, envelope), headers: envelopeHeaders(envelope.eventType, envelope.eventId) };
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    try {
      this.#topicReady ??= this.kafka.ensureTopics([{ name: this.topic, partitions: 3 }]);
      await this.#topicReady;
      await this.kafka.publish(this.topic, messages);
    } catch (error) {
      this.#topicReady = undefined;
      throw error;
    }
  }
}
