import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { decodePayload, ProcessingActivityRecordedSchema, type EventEnvelope } from '@crm/contracts';
import { quoteIdent } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';
import { Projector, type ProcessedEvent, type ProcessorContext } from '@crm/processing';
import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';

/** The topic audit publishes the register's changes on (services/audit; never imported from it). */
export const AUDIT_REGISTER_TOPIC = 'crm.audit.v1.events';
/** The projector's name: its checkpoint key and, as `projection.<name>`, its consumer group. */
export const REGISTER_ACTIVITIES_PROJECTOR = 'contacts.register-activities';
/** Provider of the projector's consumer group, `projection.contacts.register-activities.<database>`. */
export const REGISTER_ACTIVITIES_GROUP = Symbol('REGISTER_ACTIVITIES_GROUP');
export const registerActivitiesGroup = (database: string): string => `projection.${REGISTER_ACTIVITIES_PROJECTOR}.${database}`;

/**
 * Applies one register event to contacts' `register_activities`: the version it records replaces an older one (a
 * redelivered or older version changes nothing). Events recorded before drafts existed carry no status and were a
 * DPO's declarations: approved. Register data only, no personal data.
 */
export async function applyRegisterActivity(tx: PoolClient, schema: string, envelope: EventEnvelope): Promise<void> {
  if (envelope.payloadType !== ProcessingActivityRecordedSchema.typeName) return;
  const event = decodePayload(envelope, ProcessingActivityRecordedSchema);
  await tx.query(
    `INSERT INTO ${quoteIdent(schema)}.register_activities (activity_id, version, status, document) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (activity_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, document = EXCLUDED.document
     WHERE register_activities.version < EXCLUDED.version`,
    [event.activityId, event.version, event.status === 'draft' ? 'draft' : 'approved', event.documentJson],
  );
}

/**
 * The Art. 30 register's activities as retention needs them (their purposes and retention periods), learnt from
 * audit's events by a projector hosted by the platform's Kafka event transport, as consent learns them for privacy
 * notices. Retention policies are drafted from the approved ones.
 */
@Controller()
export class RegisterActivitiesController {
  @Projector(REGISTER_ACTIVITIES_PROJECTOR, (resolve) => ({
    topics: [AUDIT_REGISTER_TOPIC],
    schema: CONTACTS_SCHEMA,
    group: resolve<string>(REGISTER_ACTIVITIES_GROUP),
    reset: async (tx) => {
      await tx.query(`DELETE FROM ${quoteIdent(CONTACTS_SCHEMA)}.register_activities`);
    },
  }))
  async project(@Payload() events: ProcessedEvent[], @Ctx() context: ProcessorContext): Promise<void> {
    for (const event of events) await applyRegisterActivity(context.tx!, CONTACTS_SCHEMA, event.envelope);
  }
}
