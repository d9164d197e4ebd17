import { createHash } from 'node:crypto';
import { sampleEntry } from '../testing/audit.fixtures.js';
import type { AuditEntry } from './audit-entry.model.js';
import { canonicalEntryBytes, entryLeafHash } from './entry.canonical.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('the canonical encoding of an audit entry', () => {
  const entry = sampleEntry(7);

  it('given the same entry twice (even with keys in another order), then the bytes and leaf hash are identical', () => {
    const reordered = Object.fromEntries(Object.entries(entry).reverse()) as unknown as AuditEntry;
    expect(hex(canonicalEntryBytes(reordered))).toBe(hex(canonicalEntryBytes(entry)));
    expect(hex(entryLeafHash(reordered))).toBe(hex(entryLeafHash(entry)));
  });

  it('given the encoding, then the leaf hash is SHA-256(0x00 ‖ bytes) as RFC 6962 §2.1 defines', () => {
    const expected = createHash('sha256').update(Buffer.of(0)).update(canonicalEntryBytes(entry)).digest('hex');
    expect(hex(entryLeafHash(entry))).toBe(expected);
  });

  it('given any one field changed, then the leaf hash changes', () => {
    const changes: Array<Partial<AuditEntry>> = [
      { leafIndex: 8 },
      { eventId: 'event-x' },
      { occurredAt: new Date(entry.occurredAt.getTime() + 1) },
      { recordedAt: new Date(entry.recordedAt.getTime() + 1) },
      { actorId: 'user-9' },
      { actorType: 'service' },
      { action: 'crm.contacts.v1.ContactErased' },
      { subjectId: 'subject-9' },
      { fields: ['emails'] },
      { purpose: 'marketing' },
      { legalBasis: 'consent' },
      { correlationId: 'corr-x' },
      { causationId: 'cause' },
      { payloadType: 'x' },
      { envelopeSha256: '00' },
      { sourceTopic: 'other' },
      { sourcePartition: 2 },
      { sourceOffset: '8' },
    ];
    const hashes = new Set(changes.map((change) => hex(entryLeafHash({ ...entry, ...change }))));
    expect(hashes.size).toBe(changes.length);
    expect(hashes.has(hex(entryLeafHash(entry)))).toBe(false);
  });

  it('given text moved from one field to the next, then the bytes differ (length prefixes make the encoding injective)', () => {
    const a = { ...entry, actorId: 'ab', actorType: 'c' };
    const b = { ...entry, actorId: 'a', actorType: 'bc' };
    const c = { ...entry, fields: ['a,b'] };
    const d = { ...entry, fields: ['a', 'b'] };
    expect(hex(canonicalEntryBytes(a))).not.toBe(hex(canonicalEntryBytes(b)));
    expect(hex(canonicalEntryBytes(c))).not.toBe(hex(canonicalEntryBytes(d)));
  });
});
