import { ContactCreatedSchema, dateFromTimestamp, decodePayload, type EventEnvelope } from '@crm/contracts';
import { quoteIdent } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';

/** The topic contacts publishes its contacts' events on (services/contacts; never imported from it). */
export const CONTACTS_TOPIC = 'crm.contacts.v1.events';
/** The projector's name: its checkpoint key and, as `projection.<name>`, its consumer group. */
export const KNOWN_CONTACTS_PROJECTOR = 'consent.known-contacts';
/** Provider of the projector's consumer group, `projection.consent.known-contacts.<database>`. */
export const KNOWN_CONTACTS_GROUP = Symbol('KNOWN_CONTACTS_GROUP');
export const knownContactsGroup = (database: string): string => `projection.${KNOWN_CONTACTS_PROJECTOR}.${database}`;

/**
 * Applies one contacts event to `known_contacts`, through the projector's transaction: a created contact becomes
 * known. Only the clear contact id is read; the sealed fields are neither opened nor kept. An erased contact stays
 * known: its shredded key is what refuses anything more about it (`CONSENT_CONTACT_ERASED`).
 */
export async function applyContactEvent(tx: PoolClient, schema: string, envelope: EventEnvelope): Promise<void> {
  if (envelope.payloadType !== ContactCreatedSchema.typeName) return;
  const { contactId } = decodePayload(envelope, ContactCreatedSchema);
  const createdAt = envelope.occurredAt === undefined ? null : dateFromTimestamp(envelope.occurredAt);
  await tx.query(`INSERT INTO ${quoteIdent(schema)}.known_contacts (contact_id, created_at) VALUES ($1, $2) ON CONFLICT (contact_id) DO NOTHING`, [
    contactId,
    createdAt,
  ]);
}

/** Empties the table before a rebuild from offset 0. */
export async function resetKnownContacts(tx: PoolClient, schema: string): Promise<void> {
  await tx.query(`DELETE FROM ${quoteIdent(schema)}.known_contacts`);
}
