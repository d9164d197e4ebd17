import { createHash } from 'node:crypto';
import { leafHash } from '@crm/merkle';
import { sampleEntry } from '../testing/audit.fixtures.js';
import type { AuditEntry } from './audit-entry.model.js';
import { canonicalEntryBytes, entryLeafHash, placedLeafHash, unplacedLeafInput } from './entry.canonical.js';

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

describe('leaf hashes computed before the entry has a place in the log', () => {
  // Computed by the encoder as it was before the leaf input could be prepared ahead (Buffer parts joined, then
  // @crm/merkle's leafHash): the encoding must never change, or every stored entry stops verifying.
  const vectors: Array<[string, AuditEntry, string]> = [
    ['a sample entry', sampleEntry(7), '40b01bb58ac89fd9b968e8cdf94162a2d701031fe1bee62afcc947d56b62473c'],
    ['no fields', sampleEntry(0, { fields: [] }), '17ca9d7e0e75268bebd7ced59b1c47dba0267250dd3ae8b7982a8742ae84e84f'],
    [
      'multi-byte text, a long field, extreme numbers',
      sampleEntry(2 ** 40 + 3, {
        actorId: 'Zoë 🙂 ñ',
        fields: ['adresse.straße', 'x'.repeat(300)],
        sourceOffset: '9007199254740993',
        sourcePartition: 4294967295,
        occurredAt: new Date(-1),
      }),
      'e3f8094394c0809f05813f0410c90ecd29bb8e2eb96d6d44008fa8fe733d1f4f',
    ],
  ];

  it.each(vectors)('given %s, then the leaf hash is the one recorded before', (_name, entry, expected) => {
    expect(hex(entryLeafHash(entry))).toBe(expected);
    expect(hex(leafHash(canonicalEntryBytes(entry)))).toBe(expected);
  });

  it('given an input encoded without index and time, then placing it gives the placed entry’s hash, and placing it again elsewhere too', () => {
    const [, entry] = vectors[2]!;
    const input = unplacedLeafInput(entry);
    expect(hex(placedLeafHash(input, entry.leafIndex, entry.recordedAt))).toBe(hex(entryLeafHash(entry)));
    const moved = { ...entry, leafIndex: 12, recordedAt: new Date(entry.recordedAt.getTime() + 5) };
    expect(hex(placedLeafHash(input, moved.leafIndex, moved.recordedAt))).toBe(hex(entryLeafHash(moved)));
    expect(hex(input.subarray(1))).toBe(hex(canonicalEntryBytes(moved)));
  });
});
