import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Projector, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';
import { applyContactEvent, CONTACTS_TOPIC, KNOWN_CONTACTS_GROUP, KNOWN_CONTACTS_PROJECTOR, resetKnownContacts } from './known-contacts.projection.js';

/**
 * Contacts' events into consent's `known_contacts`: a projector hosted by the platform's Kafka event transport (as
 * contacts learns consent states). Rows, partition checkpoints and stream versions commit in one transaction, so a
 * redelivered event changes nothing. A contact is known once its creation's batch commits: a consent for a contact
 * created a moment ago may be refused as unknown until then (the projector's latency), and succeeds when retried.
 * The consumer group is named after the database, so two databases (the platform's, the tests') never split it.
 */
@Controller()
export class KnownContactsController {
  @Projector(KNOWN_CONTACTS_PROJECTOR, (resolve) => ({
    topics: [CONTACTS_TOPIC],
    schema: CONSENT_SCHEMA,
    group: resolve<string>(KNOWN_CONTACTS_GROUP),
    reset: (tx) => resetKnownContacts(tx, CONSENT_SCHEMA),
  }))
  async project(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    for (const event of events) await applyContactEvent(context.tx, CONSENT_SCHEMA, event.envelope);
  }
}
