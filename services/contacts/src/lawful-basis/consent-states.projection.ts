import type { PoolClient } from '@crm/postgres';
import { ConsentGivenSchema, ConsentWithdrawnSchema, dateFromTimestamp, decodePayload, ObjectionRecordedSchema, type EventEnvelope } from '@crm/contracts';
import { quoteIdent } from '@crm/eventstore';

/** The topic consent publishes consents, withdrawals and objections on (services/consent; never imported from it). */
export const CONSENT_TOPIC = 'crm.consent.v1.events';
/** The projector's name: its checkpoint key and, as `projection.<name>`, its consumer group. */
export const CONSENT_STATES_PROJECTOR = 'contacts.consent-states';
/** Provider of the projector's consumer group, `projection.contacts.consent-states.<database>`. */
export const CONSENT_STATES_GROUP = Symbol('CONSENT_STATES_GROUP');
export const consentStatesGroup = (database: string): string => `projection.${CONSENT_STATES_PROJECTOR}.${database}`;

const at = (timestamp: Parameters<typeof dateFromTimestamp>[0] | undefined, envelope: EventEnvelope): Date | null => {
  if (timestamp !== undefined) return dateFromTimestamp(timestamp);
  return envelope.occurredAt === undefined ? null : dateFromTimestamp(envelope.occurredAt);
};

/**
 * Applies one consent event to `consent_states`, through the projector's transaction. Only the clear parts of the
 * payload are read (contact, purpose, time): the evidence is neither opened nor kept. Events arrive in order per
 * contact (the record key is the contact), so the latest one decides; other payload types are not this table's.
 */
export async function applyConsentEvent(tx: PoolClient, schema: string, envelope: EventEnvelope): Promise<void> {
  const table = `${quoteIdent(schema)}.consent_states`;
  switch (envelope.payloadType) {
    case ConsentGivenSchema.typeName: {
      const message = decodePayload(envelope, ConsentGivenSchema);
      await setConsent(tx, table, message.contactId, message.purpose, true, at(message.givenAt, envelope));
      return;
    }
    case ConsentWithdrawnSchema.typeName: {
      const message = decodePayload(envelope, ConsentWithdrawnSchema);
      await setConsent(tx, table, message.contactId, message.purpose, false, at(message.withdrawnAt, envelope));
      return;
    }
    case ObjectionRecordedSchema.typeName: {
      const message = decodePayload(envelope, ObjectionRecordedSchema);
      await tx.query(
        `INSERT INTO ${table} (contact_id, purpose, objected, objected_at) VALUES ($1, $2, true, $3)
         ON CONFLICT (contact_id, purpose) DO UPDATE SET objected = true, objected_at = EXCLUDED.objected_at`,
        [message.contactId, message.purpose, at(message.recordedAt, envelope)],
      );
      return;
    }
    default:
      return;
  }
}

async function setConsent(tx: PoolClient, table: string, contactId: string, purpose: string, inForce: boolean, changedAt: Date | null): Promise<void> {
  await tx.query(
    `INSERT INTO ${table} (contact_id, purpose, consent_in_force, consent_changed_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (contact_id, purpose) DO UPDATE SET consent_in_force = EXCLUDED.consent_in_force, consent_changed_at = EXCLUDED.consent_changed_at`,
    [contactId, purpose, inForce, changedAt],
  );
}

/** Empties the table before a rebuild from offset 0. */
export async function resetConsentStates(tx: PoolClient, schema: string): Promise<void> {
  await tx.query(`DELETE FROM ${quoteIdent(schema)}.consent_states`);
}
