/**
 * One audit entry: what one event on the platform's topics tells a DPO, reduced to ids, codes and hashes.
 * It never holds payload bytes: an event's personal data is sealed ciphertext that a shred makes unreadable, and
 * the trail must stay readable (and verifiable) after that. `envelopeSha256` binds the entry to the exact message
 * on Kafka without keeping it.
 */
export interface AuditEntry {
  /** Dense, 0-based position in the log: the entry's leaf index in the Merkle tree. */
  leafIndex: number;
  /** The source event's id; unique, so a redelivered event is recorded once. */
  eventId: string;
  /** When it happened in the domain (millisecond precision). */
  occurredAt: Date;
  /** When the audit service recorded it (millisecond precision). */
  recordedAt: Date;
  actorId: string;
  actorType: string;
  /** The event type, e.g. `crm.contacts.v1.ContactRectified`. */
  action: string;
  /** The data subject, or '' when the event concerns none. */
  subjectId: string;
  /** Catalogue paths of the personal data the event touched (sorted, unique). */
  fields: string[];
  purpose: string;
  legalBasis: string;
  correlationId: string;
  causationId: string;
  /** The payload's protobuf type: what `fields` were read from (or could not be, for an unknown type). */
  payloadType: string;
  /** SHA-256 of the Kafka message value, hex. */
  envelopeSha256: string;
  sourceTopic: string;
  sourcePartition: number;
  /** Decimal string: Kafka offsets are 64-bit. */
  sourceOffset: string;
}

/** An entry as stored, with the leaf hash computed when it was recorded. */
export interface StoredAuditEntry extends AuditEntry {
  leafHash: Uint8Array;
}
