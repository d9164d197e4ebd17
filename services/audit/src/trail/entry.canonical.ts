import { leafHash } from '@crm/merkle';
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

export function canonicalEntryBytes(entry: AuditEntry): Uint8Array {
  const parts: Buffer[] = [DOMAIN, Buffer.of(VERSION)];
  const u64 = (value: number | bigint): void => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(value));
    parts.push(buffer);
  };
  const u32 = (value: number): void => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(value);
    parts.push(buffer);
  };
  const text = (value: string): void => {
    const bytes = Buffer.from(value, 'utf8');
    u32(bytes.length);
    parts.push(bytes);
  };
  u64(entry.leafIndex);
  u64(entry.occurredAt.getTime());
  u64(entry.recordedAt.getTime());
  u32(entry.sourcePartition);
  for (const value of [
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
  ]) {
    text(value);
  }
  u32(entry.fields.length);
  for (const field of entry.fields) text(field);
  return new Uint8Array(Buffer.concat(parts));
}

/** MTH({entry}) = SHA-256(0x00 ‖ canonical bytes), RFC 6962 §2.1. */
export function entryLeafHash(entry: AuditEntry): Uint8Array {
  return leafHash(canonicalEntryBytes(entry));
}
