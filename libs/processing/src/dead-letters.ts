import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DeadLetterSchema } from '@crm/contracts';
import type { IncomingMessage, KafkaCluster, OutgoingMessage } from '@crm/messaging';

/** Dead letters per produce request, at most (one larger letter goes alone). */
const MAX_REQUEST_BYTES = 256 * 1024;

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

export interface DeadLetter {
  message: IncomingMessage;
  /** A stable code (see `errorCode`), never an error message: messages can quote personal data. */
  code: string;
}

/** `<topic>.dlq` as `crm.deadletter.v1.DeadLetter`: the original bytes, where they came from, and the code. */
export function deadLetterMessage({ message, code }: DeadLetter, consumerGroup: string, at: Date = new Date()): OutgoingMessage {
  return {
    key: message.key ?? '',
    value: toBinary(
      DeadLetterSchema,
      create(DeadLetterSchema, {
        originalValue: message.value,
        originalKey: Buffer.from(message.key ?? ''),
        originalTopic: message.topic,
        originalPartition: message.partition,
        originalOffset: message.offset,
        errorCode: code,
        consumerGroup,
        failedAt: timestampFromDate(at),
        attempts: 1,
      }),
    ),
    headers: { 'error-code': code, 'original-topic': message.topic },
  };
}

/** Publishes dead letters per source topic, creating each `<topic>.dlq` (one partition, kept forever) on first use. */
export class DeadLetterPublisher {
  readonly #ready = new Set<string>();

  constructor(
    private readonly kafka: KafkaCluster,
    private readonly consumerGroup: string,
  ) {}

  async publish(dead: readonly DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of dead) byTopic.set(letter.message.topic, [...(byTopic.get(letter.message.topic) ?? []), letter]);
    for (const [topic, letters] of byTopic) {
      const dlq = deadLetterTopic(topic);
      if (!this.#ready.has(dlq)) {
        await this.kafka.ensureTopics([{ name: dlq, partitions: 1 }]);
        this.#ready.add(dlq);
      }
      // In requests of bounded size: a batch of large poisoned records (each up to the broker's limit, about 1 MiB)
      // sent as one request is refused (MESSAGE_TOO_LARGE) on every retry, and the consumer would never move on.
      let chunk: OutgoingMessage[] = [];
      let bytes = 0;
      for (const letter of letters) {
        const message = deadLetterMessage(letter, this.consumerGroup);
        const size = (message.value?.length ?? 0) + Buffer.byteLength(message.key ?? '');
        if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
          await this.kafka.publish(dlq, chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(message);
        bytes += size;
      }
      if (chunk.length > 0) await this.kafka.publish(dlq, chunk);
    }
  }
}
