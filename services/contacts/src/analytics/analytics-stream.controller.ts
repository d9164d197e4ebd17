import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Reactor, type ProcessedEvent } from '@crm/processing';
import { CONTACTS_TOPIC } from '../contacts/contact.streams.js';
import { CONSENT_TOPIC } from '../lawful-basis/consent-states.projection.js';
import { AnalyticsStream } from './analytics-stream.js';

/** The reactor's name; its consumer group is `reaction.contacts.analytics.<database>` (`ANALYTICS_STREAM_GROUP`). */
export const ANALYTICS_STREAM_REACTOR = 'contacts.analytics';
export const ANALYTICS_STREAM_GROUP = Symbol('ANALYTICS_STREAM_GROUP');
export const analyticsStreamGroup = (database: string): string => `reaction.${ANALYTICS_STREAM_REACTOR}.${database}`;

/**
 * The analytics streams' reactor (docs/analytics.md): contacts' and consent's events in, `crm.analytics.v1.contacts`
 * out. Its effect (publishing a subject's whole current record) may run again for an event without harm, so Kafka's
 * committed offsets are its only progress; a rebuild from offset 0 republishes the same records.
 */
@Controller()
export class AnalyticsStreamController {
  constructor(private readonly stream: AnalyticsStream) {}

  @Reactor(ANALYTICS_STREAM_REACTOR, (resolve) => ({
    topics: [CONTACTS_TOPIC, CONSENT_TOPIC],
    group: resolve<string>(ANALYTICS_STREAM_GROUP),
    idempotency: 'natural',
  }))
  async react(@Payload() events: ProcessedEvent[]): Promise<void> {
    await this.stream.derive(events.map((event) => event.envelope));
  }
}
