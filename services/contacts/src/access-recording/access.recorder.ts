import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AccessChannel, ContactDataAccessedSchema, ContactProcessingRefusedSchema, ProcessingRefusalReason } from '@crm/contracts';
import { protoEvent } from '@crm/eventstore';
import { KAFKA_PRIMARY, type KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { AccessEventPublisher, accessTopic, CLOCK, type Clock } from '@crm/platform';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';

export type AccessChannelName = 'view' | 'search' | 'export';
const CHANNEL: Record<AccessChannelName, AccessChannel> = { view: AccessChannel.VIEW, search: AccessChannel.SEARCH, export: AccessChannel.EXPORT };

/** Why processing was refused: the codes the refusal answered with (lawful-basis/lawful-basis.errors.ts). */
export type RefusalReason = 'CONSENT_REQUIRED' | 'OBJECTION_RECORDED';
const REASON: Record<RefusalReason, ProcessingRefusalReason> = {
  CONSENT_REQUIRED: ProcessingRefusalReason.CONSENT_REQUIRED,
  OBJECTION_RECORDED: ProcessingRefusalReason.OBJECTION_RECORDED,
};

/** How long a read waits at most before its access record is on its way, and how many records one send carries. */
const LINGER_MS = 200;
const MAX_BATCH = 500;
/** Records kept while Kafka is unreachable; beyond that the oldest are dropped, and counted in the log. */
const MAX_PENDING = 50_000;

/**
 * Reads are processing (GDPR Art. 4(2)): every time personal data of a contact is shown, one `ContactDataAccessed`
 * (actor, purpose, legal basis, contact, field paths — never values) goes to `crm.access.v1.events`. Records are
 * batched: a read only appends to a buffer, and one Kafka send per 200 ms carries them all, so a read's latency
 * does not include a broker round trip. A send that fails is retried with the next batch.
 */
@Injectable()
export class AccessRecorder implements OnApplicationShutdown {
  readonly #logger = new Logger('AccessRecorder');
  #pending: OutgoingMessage[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #dropped = 0;
  readonly #events: AccessEventPublisher;

  constructor(
    @Inject(KAFKA_PRIMARY) kafka: KafkaCluster,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.#events = new AccessEventPublisher(kafka, accessTopic('contacts'));
  }

  record(context: ProcessingContext, channel: AccessChannelName, accessed: ReadonlyArray<{ contactId: string; fields: readonly string[] }>): void {
    this.#enqueue(
      context,
      accessed
        .filter(({ fields }) => fields.length > 0)
        .map(({ contactId, fields }) => [
          contactId,
          protoEvent(ContactDataAccessedSchema, { contactId, fields: [...fields], channel: CHANNEL[channel] }, contactId),
        ]),
    );
  }

  /**
   * A refusal is processing asked for and not done, and the audit trail shows it as such: one
   * `ContactProcessingRefused` (actor, purpose, the basis claimed, contact, channel, reason — nothing shown) per contact
   * refused, on the same topic and batch as the reads.
   */
  refused(context: ProcessingContext, channel: AccessChannelName, reason: RefusalReason, contactIds: readonly string[]): void {
    this.#enqueue(
      context,
      contactIds.map((contactId) => [
        contactId,
        protoEvent(ContactProcessingRefusedSchema, { contactId, channel: CHANNEL[channel], reason: REASON[reason] }, contactId),
      ]),
    );
  }

  #enqueue(context: ProcessingContext, events: ReadonlyArray<readonly [string, ReturnType<typeof protoEvent>]>): void {
    if (events.length === 0) return;
    const metadata = eventMetadata(context);
    const now = this.clock();
    for (const [contactId, event] of events) this.#pending.push(this.#events.message(event, metadata, contactId, now));
    if (this.#pending.length > MAX_PENDING) {
      this.#dropped += this.#pending.length - MAX_PENDING;
      this.#pending = this.#pending.slice(-MAX_PENDING);
    }
    if (this.#pending.length >= MAX_BATCH) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), LINGER_MS);
  }

  /** Sends what is pending; resolves when it is on Kafka (or has been put back for the next attempt). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, this.#pending.length);
    this.#flushing = this.#send(batch).finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async #send(batch: OutgoingMessage[]): Promise<void> {
    try {
      await this.#events.publish(batch);
      if (this.#dropped > 0) {
        this.#logger.error(`${this.#dropped} access records were dropped while Kafka was unreachable`);
        this.#dropped = 0;
      }
    } catch (error) {
      this.#pending.unshift(...batch);
      this.#logger.warn(`could not publish ${batch.length} access records; retrying (${error instanceof Error ? error.name : 'error'})`);
      this.#timer ??= setTimeout(() => void this.flush(), 1_000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length > 0) await this.flush();
    clearTimeout(this.#timer);
  }
}
