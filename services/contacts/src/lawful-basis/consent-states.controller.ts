import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Projector, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';
import { applyConsentEvent, CONSENT_STATES_GROUP, CONSENT_STATES_PROJECTOR, CONSENT_TOPIC, resetConsentStates } from './consent-states.projection.js';

/**
 * Consent's events into contacts' `consent_states`: a projector hosted by the platform's Kafka event transport. The
 * rows, the partition checkpoints and the stream versions applied commit in one transaction, so a redelivered or
 * republished event changes nothing; a withdrawal is enforced as soon as its batch commits (the projector's latency).
 * The consumer group is named after the database (`CONSENT_STATES_GROUP`): offsets live in Kafka and checkpoints in
 * Postgres, so two databases (the platform's, the tests') must never share a group and split the partitions.
 */
@Controller()
export class ConsentStatesController {
  @Projector(CONSENT_STATES_PROJECTOR, (resolve) => ({
    topics: [CONSENT_TOPIC],
    schema: CONTACTS_SCHEMA,
    group: resolve<string>(CONSENT_STATES_GROUP),
    reset: (tx) => resetConsentStates(tx, CONTACTS_SCHEMA),
  }))
  async project(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    for (const event of events) await applyConsentEvent(context.tx!, CONTACTS_SCHEMA, event.envelope);
  }
}
