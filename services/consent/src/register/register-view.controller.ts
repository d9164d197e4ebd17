import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Projector, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';
import { applyRegisterEvent, AUDIT_REGISTER_TOPIC, REGISTER_VIEW_GROUP, REGISTER_VIEW_PROJECTOR, resetRegisterView } from './register.projection.js';

/**
 * Audit's register events into consent's register view: a projector hosted by the platform's Kafka event transport
 * (as the known-contacts projector). Privacy notices are drafted from it, so what a notice says of retention,
 * recipients and processors is what the register's approved activities say (seconds after a change at most).
 */
@Controller()
export class RegisterViewController {
  @Projector(REGISTER_VIEW_PROJECTOR, (resolve) => ({
    topics: [AUDIT_REGISTER_TOPIC],
    schema: CONSENT_SCHEMA,
    group: resolve<string>(REGISTER_VIEW_GROUP),
    reset: (tx) => resetRegisterView(tx, CONSENT_SCHEMA),
  }))
  async project(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    for (const event of events) await applyRegisterEvent(context.tx, CONSENT_SCHEMA, event.envelope);
  }
}
