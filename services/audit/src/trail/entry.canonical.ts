import { hash } from 'node:crypto';
import type { AuditEntry } from './audit-entry.model.js';

/**
 * The bytes a leaf hash is computed over. JSON and protobuf encodings are not canonical (key order, number forms,
 * field order and defaults vary between encoders), and a verifier written later in another language must produce
 * exactly these bytes from a database row, so the format is spelled out and versioned:
 *
 *   "crm.audit.v1.AuditEntry" 0x00, version 0x01,
 *   leaf index (u64 BE), occurred_at ms (i64 BE), recorded_at ms (i64 BE), source partition (u32 BE),
 *   then each string as u32 BE byte length + UTF-8, in this order: event id, actor id, actor type, action,
 *   subject id, purpose, legal basis, correlation id, causation id, payload type, envelope SHA-256 (hex),
 *   source topic, source offset (decimal); then the number of fields (u32 BE) and each field as a string.
 *
 * Length prefixes make the encoding injective: no two entries share bytes by shifting text between fields.
 * The leaf index is inside, so an entry moved to another position no longer hashes to the leaf there.
 */
const DOMAIN = Buffer.from('crm.audit.v1.AuditEntry\u0000', 'utf8');
const VERSION = 1;
/** RFC 6962 §2.1: a leaf is hashed as SHA-256(0x00 ‖ data). */
const LEAF_PREFIX = 0x00;

// Where the two values an entry gets only when it is recorded sit in the leaf input (0x00 ‖ canonical bytes).
const LEAF_INDEX_AT = 1 + DOMAIN.length + 1;
const OCCURRED_AT_AT = LEAF_INDEX_AT + 8;
const RECORDED_AT_AT = OCCURRED_AT_AT + 8;
const PARTITION_AT = RECORDED_AT_AT + 8;
const TEXTS_AT = PARTITION_AT + 4;

/** What an entry is before it has a place in the log: everything but its leaf index and recording time. */
export type UnplacedEntry = Omit<AuditEntry, 'leafIndex' | 'recordedAt'>;

function texts(entry: UnplacedEntry): string[] {
  return [
    entry.eventId,
    entry.actorId,
    entry.actorType,
    entry.action,
    entry.subjectId,
    entry.purpose,
    entry.legalBasis,
    entry.correlationId,
    entry.causationId,
    entry.payloadType,
    entry.envelopeSha256,
    entry.sourceTopic,
    entry.sourceOffset,
  ];
}

/**
 * The leaf input `0x00 ‖ canonical bytes` of an entry not yet placed in the log, with its leaf index and recording
 * time left as zeros (`placeLeafInput` writes them). Encoding is most of the cost of a leaf hash, and it depends on
 * neither, so the ingest does it before it knows them. One buffer, sized first: no intermediate parts to join.
 */
export function unplacedLeafInput(entry: UnplacedEntry): Buffer {
  const strings = texts(entry);
  let size = TEXTS_AT + 4;
  for (const value of strings) size += 4 + Buffer.byteLength(value, 'utf8');
  for (const field of entry.fields) size += 4 + Buffer.byteLength(field, 'utf8');
  const input = Buffer.allocUnsafe(size);
  input[0] = LEAF_PREFIX;
  DOMAIN.copy(input, 1);
  input[LEAF_INDEX_AT - 1] = VERSION;
  input.fill(0, LEAF_INDEX_AT, OCCURRED_AT_AT);
  input.writeBigInt64BE(BigInt(entry.occurredAt.getTime()), OCCURRED_AT_AT);
  input.fill(0, RECORDED_AT_AT, PARTITION_AT);
  input.writeUInt32BE(entry.sourcePartition, PARTITION_AT);
  let offset = TEXTS_AT;
  const text = (value: string): void => {
    const length = input.write(value, offset + 4, 'utf8');
    input.writeUInt32BE(length, offset);
    offset += 4 + length;
  };
  for (const value of strings) text(value);
  input.writeUInt32BE(entry.fields.length, offset);
  offset += 4;
  for (const field of entry.fields) text(field);
  return input;
}

function place(input: Buffer, leafIndex: number, recordedAt: Date): void {
  input.writeBigInt64BE(BigInt(leafIndex), LEAF_INDEX_AT);
  input.writeBigInt64BE(BigInt(recordedAt.getTime()), RECORDED_AT_AT);
}

/**
 * Writes the leaf index and recording time into a leaf input (in place, so one input can be placed again at another
 * index) and returns the leaf hash: the same as `entryLeafHash` of the placed entry.
 */
export function placedLeafHash(input: Buffer, leafIndex: number, recordedAt: Date): Uint8Array {
  place(input, leafIndex, recordedAt);
  // A plain Uint8Array, as libs/merkle's hashes are, so hashes compare equal however they were produced.
  return new Uint8Array(hash('sha256', input, 'buffer'));
}

export function canonicalEntryBytes(entry: AuditEntry): Uint8Array {
  const input = unplacedLeafInput(entry);
  place(input, entry.leafIndex, entry.recordedAt);
  return new Uint8Array(input.subarray(1));
}

/** MTH({entry}) = SHA-256(0x00 ‖ canonical bytes), RFC 6962 §2.1. */
export function entryLeafHash(entry: AuditEntry): Uint8Array {
  return placedLeafHash(unplacedLeafInput(entry), entry.leafIndex, entry.recordedAt);
}
