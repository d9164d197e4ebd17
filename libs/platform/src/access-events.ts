import { EventEnvelopeSchema, toBinary } from '@crm/contracts';
import { createEnvelope, envelopeHeaders, uuidv7, type EventMetadata, type NewEvent } from '@crm/eventstore';
import type { KafkaCluster, OutgoingMessage } from '@crm/messaging';

/** Where the platform records who was shown, or refused, personal data: reads and denials change no data. */
export const ACCESS_TOPIC = 'crm.access.v1.events';

/**
 * Access events go straight to Kafka, not through an event store: a read or a refusal changes no data, so there is
 * no transaction to join and no outbox to write. The topic is made once per process (again after a failure).
 */
export class AccessEventPublisher {
  #topicReady: Promise<void> | undefined;

  constructor(
    private readonly kafka: KafkaCluster,
    private readonly topic: string = ACCESS_TOPIC,
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
