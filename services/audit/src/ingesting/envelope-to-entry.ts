import { hash } from 'node:crypto';
import { ActorType, dateFromTimestamp, LegalBasis, type EventEnvelope } from '@crm/contracts';
import type { AuditEntry } from '../trail/audit-entry.model.js';
import { touchedFields } from './touched-fields.js';

/** Where a message was read from. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: bigint;
}

/** An entry before it has a place in the log (leaf index) and a recording time. */
export type EntryDraft = Omit<AuditEntry, 'leafIndex' | 'recordedAt' | 'occurredAt'> & { occurredAt: Date | undefined };

/** Ids are pseudonymous and short; a producer bug sending a novel as an id must not bloat every index. */
const MAX_TEXT = 512;

/**
 * Pure: what the audit trail keeps of one envelope. Enum values become stable lower-case codes
 * (`ACTOR_TYPE_DATA_SUBJECT` → `data_subject`), which is what DPOs filter by and what the leaf hash covers.
 */
export function envelopeToEntry(envelope: EventEnvelope, source: SourcePosition, messageValue: Uint8Array): EntryDraft {
  return {
    eventId: clip(envelope.eventId),
    occurredAt: envelope.occurredAt === undefined ? undefined : millisecondPrecision(dateFromTimestamp(envelope.occurredAt)),
    actorId: clip(envelope.actor?.id ?? ''),
    actorType: enumCode(ActorType, envelope.actor?.type ?? ActorType.UNSPECIFIED),
    action: clip(envelope.eventType),
    subjectId: clip(envelope.subjectId),
    fields: touchedFields(envelope).map(clip),
    purpose: clip(envelope.purpose),
    legalBasis: enumCode(LegalBasis, envelope.legalBasis),
    correlationId: clip(envelope.correlationId),
    causationId: clip(envelope.causationId),
    payloadType: clip(envelope.payloadType),
    envelopeSha256: hash('sha256', messageValue, 'hex'),
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: source.offset.toString(),
  };
}

/** Postgres keeps microseconds and JavaScript milliseconds: the hashed value must survive a round trip exactly. */
export function millisecondPrecision(date: Date): Date {
  return new Date(Math.floor(date.getTime()));
}

function clip(value: string): string {
  return value.length <= MAX_TEXT ? value : value.slice(0, MAX_TEXT);
}

/** protobuf-es enums map names to numbers and back; an unknown number (a newer producer) keeps its number. */
function enumCode(enumObject: Record<string | number, string | number>, value: number): string {
  const name = enumObject[value];
  return typeof name === 'string' ? name.toLowerCase() : String(value);
}
