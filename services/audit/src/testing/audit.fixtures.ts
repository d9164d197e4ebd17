// Test-only builders: envelopes as the platform's services publish them, and entries as the audit store keeps them.
import { createHash } from 'node:crypto';
import {
  ActorType,
  ContactCreatedSchema,
  ContactDataAccessedSchema,
  ContactErasedSchema,
  ContactRectifiedSchema,
  create,
  DataCategory,
  EventEnvelopeSchema,
  LegalBasis,
  RetentionAction,
  RetentionAppliedSchema,
  timestampFromDate,
  toBinary,
  type EventEnvelope,
} from '@crm/contracts';
import { uuidv7 } from '@crm/eventstore';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';

export interface EnvelopeOptions {
  subjectId?: string;
  actorId?: string;
  actorType?: ActorType;
  streamId?: string;
  purpose?: string;
  legalBasis?: LegalBasis;
  occurredAt?: Date;
  correlationId?: string;
  eventId?: string;
}

function envelope(type: string, payload: Uint8Array, options: EnvelopeOptions): EventEnvelope {
  const occurredAt = options.occurredAt ?? new Date();
  return create(EventEnvelopeSchema, {
    eventId: options.eventId ?? uuidv7(occurredAt.getTime()),
    eventType: type,
    schemaVersion: 1,
    streamId: options.streamId ?? `contact-${options.subjectId ?? 'none'}`,
    streamVersion: 1n,
    subjectId: options.subjectId ?? '',
    actor: { id: options.actorId ?? 'user-1', type: options.actorType ?? ActorType.USER },
    purpose: options.purpose ?? 'customer-service',
    legalBasis: options.legalBasis ?? LegalBasis.CONTRACT,
    occurredAt: timestampFromDate(occurredAt),
    correlationId: options.correlationId ?? `corr-${uuidv7()}`,
    causationId: '',
    keyId: options.subjectId === undefined ? '' : `key-${options.subjectId}`,
    payload,
    payloadType: type,
  });
}

const sealed = () => ({ algorithm: 1, keyId: 'k', keyVersion: 1, nonce: new Uint8Array(12), ciphertext: new Uint8Array(24).fill(7) });

export function contactCreated(subjectId: string, paths: string[], options: EnvelopeOptions = {}): EventEnvelope {
  const payload = create(ContactCreatedSchema, {
    contactId: subjectId,
    fields: paths.map((path) => ({ path, category: DataCategory.IDENTITY, value: sealed() })),
  });
  return envelope(ContactCreatedSchema.typeName, toBinary(ContactCreatedSchema, payload), { ...options, subjectId });
}

export function contactRectified(subjectId: string, changed: string[], removed: string[], options: EnvelopeOptions = {}): EventEnvelope {
  const payload = create(ContactRectifiedSchema, {
    contactId: subjectId,
    changed: changed.map((path) => ({ path, category: DataCategory.CONTACT, value: sealed() })),
    removed,
  });
  return envelope(ContactRectifiedSchema.typeName, toBinary(ContactRectifiedSchema, payload), { ...options, subjectId });
}

export function contactDataAccessed(subjectId: string, fields: string[], options: EnvelopeOptions = {}): EventEnvelope {
  const payload = create(ContactDataAccessedSchema, { contactId: subjectId, fields, channel: 1 });
  return envelope(ContactDataAccessedSchema.typeName, toBinary(ContactDataAccessedSchema, payload), { ...options, subjectId });
}

/**
 * What the contacts service's retention sweep publishes for one subject, in order: `RetentionApplied` on the effect's
 * own stream, then the erasure's `ContactErased`, both by the system, under the policy's purpose and the legal
 * obligation, correlated by the sweep's run id (`services/contacts/src/retention/retention.sweep.ts`).
 */
export function retentionShred(
  subjectId: string,
  sweep: { policyId: string; policyVersion: number; runId: string; purpose: string; at: Date },
): EventEnvelope[] {
  const options: EnvelopeOptions = {
    subjectId,
    actorId: 'system',
    actorType: ActorType.SYSTEM,
    purpose: sweep.purpose,
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: sweep.runId,
  };
  const applied = create(RetentionAppliedSchema, {
    contactId: subjectId,
    policyId: sweep.policyId,
    policyVersion: sweep.policyVersion,
    action: RetentionAction.CRYPTO_SHRED,
    purchasesAnonymised: 0,
    runId: sweep.runId,
  });
  return [
    envelope(RetentionAppliedSchema.typeName, toBinary(RetentionAppliedSchema, applied), {
      ...options,
      streamId: `retention-applied-${sweep.policyId}-${sweep.policyVersion}-${subjectId}`,
      occurredAt: sweep.at,
    }),
    envelope(ContactErasedSchema.typeName, toBinary(ContactErasedSchema, create(ContactErasedSchema, { contactId: subjectId })), {
      ...options,
      occurredAt: new Date(sweep.at.getTime() + 1),
    }),
  ];
}

/** An event whose payload type no registry knows (a newer producer, or a foreign one). */
export function unknownEvent(options: EnvelopeOptions = {}): EventEnvelope {
  return envelope('crm.future.v9.SomethingHappened', new Uint8Array([1, 2, 3, 4]), options);
}

export function encode(value: EventEnvelope): Uint8Array {
  return toBinary(EventEnvelopeSchema, value);
}

/** A stored entry with an honest leaf hash. */
export function sampleEntry(leafIndex: number, overrides: Partial<StoredAuditEntry> = {}): StoredAuditEntry {
  const entry = {
    leafIndex,
    eventId: `event-${leafIndex}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0, leafIndex)),
    recordedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 1, leafIndex)),
    actorId: `user-${leafIndex % 3}`,
    actorType: 'user',
    action: 'crm.contacts.v1.ContactRectified',
    subjectId: `subject-${leafIndex % 5}`,
    fields: ['emails', 'name.given'],
    purpose: 'customer-service',
    legalBasis: 'contract',
    correlationId: `corr-${leafIndex}`,
    causationId: '',
    payloadType: 'crm.contacts.v1.ContactRectified',
    envelopeSha256: createHash('sha256').update(String(leafIndex)).digest('hex'),
    sourceTopic: 'crm.contacts.v1.events',
    sourcePartition: leafIndex % 3,
    sourceOffset: String(leafIndex),
    ...overrides,
  };
  return { ...entry, leafHash: entryLeafHash(entry) };
}
