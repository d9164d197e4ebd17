import { ContactCreatedSchema, ContactErasedSchema, dateFromTimestamp, decodePayload, type EventEnvelope } from '@crm/contracts';
import { quoteIdent } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';
import type { ConsentState } from '../consents/consent.decider.js';
import { isContactId } from '../consents/consent.streams.js';
import { pseudonymousProof } from '../consents/erase-consents/consent-proof.js';

/** The topic contacts publishes its contacts' events on (services/contacts; never imported from it). */
export const CONTACTS_TOPIC = 'crm.contacts.v1.events';
/** The projector's name: its checkpoint key and, as `projection.<name>`, its consumer group. */
export const KNOWN_CONTACTS_PROJECTOR = 'consent.known-contacts';
/** Provider of the projector's consumer group, `projection.consent.known-contacts.<database>`. */
export const KNOWN_CONTACTS_GROUP = Symbol('KNOWN_CONTACTS_GROUP');
export const knownContactsGroup = (database: string): string => `projection.${KNOWN_CONTACTS_PROJECTOR}.${database}`;

/**
 * Applies one contacts event, through the projector's transaction: a created contact becomes known
 * (`known_contacts`). Only the clear contact id is read; the sealed fields are neither opened nor kept. An erased
 * contact stays known: its shredded key is what refuses anything more about it (`CONSENT_CONTACT_ERASED`); its
 * consent state row is reduced to a pseudonymous proof (`pseudonymousProof`: no actors, no double opt-in requests),
 * whether the desk or contacts' own route erased it. The row then no longer equals the fold of the stream (whose
 * events are immutable; their evidence is unreadable without the key), and nothing can be written to it any more.
 */
export async function applyContactEvent(tx: PoolClient, schema: string, envelope: EventEnvelope): Promise<void> {
  if (envelope.payloadType === ContactErasedSchema.typeName) {
    await reduceConsentState(tx, schema, decodePayload(envelope, ContactErasedSchema).contactId);
    return;
  }
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

/** Rewrites an erased contact's consent state row as its pseudonymous proof (idempotent; no row, nothing to do). */
async function reduceConsentState(tx: PoolClient, schema: string, contactId: string): Promise<void> {
  if (!isContactId(contactId)) return;
  const table = `${quoteIdent(schema)}.consent_states`;
  const { rows } = await tx.query<{ state: ConsentState }>(`SELECT state FROM ${table} WHERE contact_id = $1 FOR UPDATE`, [contactId]);
  if (rows[0] === undefined) return;
  await tx.query(`UPDATE ${table} SET state = $2 WHERE contact_id = $1`, [contactId, JSON.stringify(pseudonymousProof(rows[0].state))]);
}
