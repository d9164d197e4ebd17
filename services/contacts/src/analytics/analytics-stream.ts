import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@crm/errors';
import {
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  ContactErasedSchema,
  ContactProfileSchema,
  create,
  decodePayload,
  ObjectionRecordedSchema,
  timestampFromDate,
  toBinary,
  type EventEnvelope,
} from '@crm/contracts';
import { KAFKA_PRIMARY, type KafkaCluster, type OutgoingMessage, type TopicSpec } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { PG_POOL, type Pool } from '@crm/postgres';
import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';
import { ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import {
  ANALYTICS_CONTACTS_TOPIC,
  decideAnalyticsRecord,
  pseudonymOf,
  type AnalyticsBasisState,
  type AnalyticsRecord,
  type PurchaseTotal,
  type SubjectSnapshot,
} from './analytics-profile.decision.js';
import { ANALYTICS_KEY } from './analytics-key.js';

/** Compacted and kept forever: the latest record per pseudonym, and a tombstone drops the person everywhere. */
export const ANALYTICS_CONTACTS_TOPIC_SPEC: TopicSpec = { name: ANALYTICS_CONTACTS_TOPIC, partitions: 3, retentionMs: -1, cleanupPolicy: 'compact' };

/** What an event itself says about the subject's analytics basis (its own batch may be ahead of consent_states). */
type BasisOverride = Partial<AnalyticsBasisState> & { erased?: boolean };

/**
 * Derives `crm.analytics.v1.contacts` from the contacts' and consent's events: for each subject an event touches, the
 * subject's current state (the read model, opened with the subject's key; consent_states) through the pure decider,
 * published as a `ContactProfile` under the pseudonym, or a tombstone. Each record is a whole snapshot, so publishing
 * one again is harmless (the reactor's idempotency is natural) and the latest record per key is the truth.
 */
@Injectable()
export class AnalyticsStream {
  #topicReady: Promise<void> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_PRIMARY) private readonly kafka: KafkaCluster,
    @Inject(ANALYTICS_KEY) private readonly key: Buffer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly contacts: ContactsRepository,
    private readonly projection: ContactProjection,
  ) {}

  /** Re-derives every subject the envelopes touch, in order, and publishes their records. */
  async derive(envelopes: readonly EventEnvelope[]): Promise<void> {
    const touched = new Map<string, BasisOverride>();
    for (const envelope of envelopes) {
      const touch = subjectTouched(envelope);
      if (touch === undefined) continue;
      touched.set(touch.contactId, { ...touched.get(touch.contactId), ...touch.override });
    }
    await this.#publish(touched, this.key);
  }

  /**
   * Publishes the current record of each of these contacts (a tombstone for the erased and for those whose basis
   * does not hold) under the pseudonyms of `key` (default: the platform's analytics key): the backfill, and the new
   * key's side of a rotation. Answers how many records it published.
   */
  async republish(contactIds: readonly string[], key: Buffer = this.key): Promise<number> {
    return this.#publish(new Map(contactIds.map((contactId) => [contactId, {}])), key);
  }

  /** Tombstones for these contacts under the pseudonyms of `key`: the retired key's side of a rotation. */
  async tombstones(contactIds: readonly string[], key: Buffer): Promise<void> {
    await this.#send(contactIds.map((contactId) => this.#message({ kind: 'tombstone', subject: pseudonymOf(key, contactId) })));
  }

  async #publish(touched: ReadonlyMap<string, BasisOverride>, key: Buffer): Promise<number> {
    const messages: OutgoingMessage[] = [];
    for (const [contactId, override] of touched) {
      const snapshot = await this.#snapshot(contactId, override);
      if (snapshot === undefined) continue;
      messages.push(this.#message(decideAnalyticsRecord(pseudonymOf(key, contactId), snapshot, this.clock())));
    }
    await this.#send(messages);
    return messages.length;
  }

  async #send(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.#topicReady ??= this.kafka.ensureTopics([ANALYTICS_CONTACTS_TOPIC_SPEC]).catch((error: unknown) => {
      this.#topicReady = undefined;
      throw error;
    });
    await this.#topicReady;
    await this.kafka.publish(ANALYTICS_CONTACTS_TOPIC, messages);
  }

  /** `undefined`: a contact this database never held (nothing to say about it, not even a tombstone). */
  async #snapshot(contactId: string, override: BasisOverride): Promise<SubjectSnapshot | undefined> {
    if (override.erased === true) return { kind: 'gone' };
    const row = await this.contacts.byId(contactId);
    if (row === undefined) return (await this.contacts.erasedAt(contactId)) === undefined ? undefined : { kind: 'gone' };
    let data;
    try {
      data = await this.projection.openRecord(row);
    } catch (error) {
      // Erased between the row's read and its opening (the key is shredded first): gone, not a poison event.
      if (error instanceof AppError && error.code === 'CONTACT_ERASED') return { kind: 'gone' };
      throw error;
    }
    const [purchases, basis] = await Promise.all([this.#purchases(contactId), this.#basis(contactId)]);
    return { kind: 'present', data, restricted: row.restricted, purchases, basis: { ...basis, ...withoutErased(override) } };
  }

  async #purchases(contactId: string): Promise<PurchaseTotal[]> {
    const { rows } = await this.pool.query<{ currency: string; count: number; total: string }>(
      `SELECT currency, count(*)::int AS count, coalesce(sum(amount_cents), 0)::text AS total
         FROM ${CONTACTS_SCHEMA}.contact_transactions WHERE contact_id = $1 GROUP BY currency`,
      [contactId],
    );
    return rows.map((row) => ({ currency: row.currency, count: row.count, totalCents: BigInt(row.total) }));
  }

  async #basis(contactId: string): Promise<AnalyticsBasisState> {
    const { rows } = await this.pool.query<{ consent_in_force: boolean; objected: boolean; consent_recorded: boolean }>(
      `SELECT consent_in_force, objected, consent_changed_at IS NOT NULL AS consent_recorded
         FROM ${CONTACTS_SCHEMA}.consent_states WHERE contact_id = $1 AND purpose = 'analytics'`,
      [contactId],
    );
    const row = rows[0];
    if (row === undefined) return { consentInForce: false, objected: false, consentWithdrawn: false };
    return { consentInForce: row.consent_in_force, objected: row.objected, consentWithdrawn: row.consent_recorded && !row.consent_in_force };
  }

  #message(record: AnalyticsRecord): OutgoingMessage {
    if (record.kind === 'tombstone') return { key: record.subject, value: null };
    const { profile } = record;
    const value = toBinary(
      ContactProfileSchema,
      create(ContactProfileSchema, {
        subject: profile.subject,
        countries: profile.countries,
        preferenceCategories: profile.preferenceCategories,
        ageBand: profile.ageBand,
        postalPrefixes: profile.postalPrefixes,
        purchases: profile.purchases.map((total) => ({ currency: total.currency, count: total.count, totalCents: total.totalCents })),
        derivedAt: timestampFromDate(this.clock()),
      }),
    );
    return { key: profile.subject, value };
  }
}

const withoutErased = ({ erased: _erased, ...rest }: BasisOverride): Partial<AnalyticsBasisState> => rest;

/**
 * The contact an event is about, and what the event itself says of its analytics basis: an erasure, a withdrawal or
 * an objection for analytics counts at once, before consent_states (another processor) has applied it.
 */
function subjectTouched(envelope: EventEnvelope): { contactId: string; override: BasisOverride } | undefined {
  const contactId = envelope.subjectId;
  if (!ContactsRepository.isContactId(contactId)) return undefined;
  switch (envelope.payloadType) {
    case ContactErasedSchema.typeName:
      return { contactId, override: { erased: true } };
    case ConsentWithdrawnSchema.typeName:
      return decodePayload(envelope, ConsentWithdrawnSchema).purpose === 'analytics'
        ? { contactId, override: { consentWithdrawn: true, consentInForce: false } }
        : undefined;
    case ConsentGivenSchema.typeName:
      return decodePayload(envelope, ConsentGivenSchema).purpose === 'analytics'
        ? { contactId, override: { consentWithdrawn: false, consentInForce: true } }
        : undefined;
    case ObjectionRecordedSchema.typeName:
      return decodePayload(envelope, ObjectionRecordedSchema).purpose === 'analytics' ? { contactId, override: { objected: true } } : undefined;
    default:
      // Consent's other events concern no analytics basis; every contact event may change the profile.
      return envelope.payloadType.startsWith('crm.contacts.v1.') ? { contactId, override: {} } : undefined;
  }
}
