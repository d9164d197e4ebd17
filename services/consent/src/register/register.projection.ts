import { decodePayload, ProcessingActivityRecordedSchema, ProcessorRecordedSchema, type EventEnvelope } from '@crm/contracts';
import { quoteIdent } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';

/** The topic audit publishes the register's changes on (services/audit; never imported from it). */
export const AUDIT_REGISTER_TOPIC = 'crm.audit.v1.events';
/** The projector's name: its checkpoint key and, as `projection.<name>`, its consumer group. */
export const REGISTER_VIEW_PROJECTOR = 'consent.register';
/** Provider of the projector's consumer group, `projection.consent.register.<database>`. */
export const REGISTER_VIEW_GROUP = Symbol('REGISTER_VIEW_GROUP');
export const registerViewGroup = (database: string): string => `projection.${REGISTER_VIEW_PROJECTOR}.${database}`;

/**
 * Applies one register event to the register view, through the projector's transaction: the version it records
 * replaces an older one (a redelivered or older version changes nothing). An activity's status is `draft` or
 * `approved`; events recorded before drafts existed carry none and were all a DPO's declarations: approved.
 */
export async function applyRegisterEvent(tx: PoolClient, schema: string, envelope: EventEnvelope): Promise<void> {
  const s = quoteIdent(schema);
  if (envelope.payloadType === ProcessingActivityRecordedSchema.typeName) {
    const event = decodePayload(envelope, ProcessingActivityRecordedSchema);
    await tx.query(
      `INSERT INTO ${s}.register_activities (activity_id, version, status, document) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (activity_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, document = EXCLUDED.document
       WHERE register_activities.version < EXCLUDED.version`,
      [event.activityId, event.version, event.status === 'draft' ? 'draft' : 'approved', event.documentJson],
    );
  } else if (envelope.payloadType === ProcessorRecordedSchema.typeName) {
    const event = decodePayload(envelope, ProcessorRecordedSchema);
    await tx.query(
      `INSERT INTO ${s}.register_processors (processor_id, version, document) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (processor_id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document
       WHERE register_processors.version < EXCLUDED.version`,
      [event.processorId, event.version, event.documentJson],
    );
  }
}

/** Empties the view before a rebuild from offset 0. */
export async function resetRegisterView(tx: PoolClient, schema: string): Promise<void> {
  await tx.query(`DELETE FROM ${quoteIdent(schema)}.register_activities; DELETE FROM ${quoteIdent(schema)}.register_processors`);
}
