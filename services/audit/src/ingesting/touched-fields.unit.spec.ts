import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import {
  ContactDataAccessedSchema,
  ContactRectifiedSchema,
  create,
  DataCategory,
  EventEnvelopeSchema,
  eventRegistry,
  toBinary,
  type EventEnvelope,
  type MessageInitShape,
} from '@crm/contracts';
import { scanTouchedFields, touchedFields, touchedFieldsByDecoding } from './touched-fields.js';

// The wire scan is a fast path for the full decode: every entry's fields are inside its leaf hash, so the two must
// agree on every input, well-formed or not. These specs pin the scan to the decode on generated payloads of every
// registered message type, and on those bytes damaged, cut, doubled and padded with unknown fields.

const PATHS = ['name.given', 'name.family', 'emails[]', 'phones[]', 'addresses[].city', 'notes[]', 'birthDate', 'ünïcödé.päth', '', 'a"b\\c', '😀'];

/** mulberry32: seeded, so a failure names a case that can be run again. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function scalarValue(field: DescField & { scalar: ScalarType }, random: () => number): unknown {
  const n = Math.floor(random() * 2 ** 31) * (random() < 0.2 ? -1 : 1);
  const longAsString = (field as { longAsString?: boolean }).longAsString === true;
  switch (field.scalar) {
    case ScalarType.STRING:
      return PATHS[Math.floor(random() * PATHS.length)]!;
    case ScalarType.BYTES:
      return Uint8Array.from({ length: Math.floor(random() * 20) }, () => Math.floor(random() * 256));
    case ScalarType.BOOL:
      return random() < 0.5;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return random() * 1000;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return longAsString ? String(n) : BigInt(n);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return longAsString ? String(Math.abs(n)) : BigInt(Math.abs(n));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return Math.abs(n);
    case ScalarType.INT32:
    case ScalarType.SFIXED32:
    case ScalarType.SINT32:
      return n;
  }
}

/** A message of `schema` with every field given a random value (lists of 0–3, nested messages to depth 4). */
function randomMessage(schema: DescMessage, random: () => number, depth = 0): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (random() < 0.15) continue;
    let value: unknown;
    switch (field.fieldKind) {
      case 'scalar':
        value = scalarValue(field, random);
        break;
      case 'enum':
        value = field.enum.values[Math.floor(random() * field.enum.values.length)]!.number;
        break;
      case 'message':
        if (depth >= 4) continue;
        value = create(field.message, randomMessage(field.message, random, depth + 1));
        break;
      case 'list': {
        const length = Math.floor(random() * 4);
        if (field.listKind === 'message') {
          if (depth >= 4) continue;
          value = Array.from({ length }, () => create(field.message, randomMessage(field.message, random, depth + 1)));
        } else if (field.listKind === 'enum') {
          value = Array.from({ length }, () => field.enum.values[Math.floor(random() * field.enum.values.length)]!.number);
        } else {
          value = Array.from({ length }, () => scalarValue(field, random));
        }
        break;
      }
      case 'map':
        continue;
    }
    if (field.oneof === undefined) init[field.localName] = value;
    else if (init[field.oneof.localName] === undefined) init[field.oneof.localName] = { case: field.localName, value };
  }
  return init;
}

const envelopeOf = (payloadType: string, payload: Uint8Array): EventEnvelope =>
  create(EventEnvelopeSchema, { eventId: 'e-1', eventType: payloadType, payloadType, payload });

const messageTypes = (): DescMessage[] => [...eventRegistry].filter((desc): desc is DescMessage => desc.kind === 'message');

describe('the touched fields read by a wire scan', () => {
  it('given generated payloads of every registered message type, then the scan answers, and exactly as the full decode', () => {
    const random = prng(11);
    let compared = 0;
    let withPaths = 0;
    for (const schema of messageTypes()) {
      for (let i = 0; i < 40; i++) {
        const payload = toBinary(schema, create(schema, randomMessage(schema, random) as MessageInitShape<typeof schema>));
        const envelope = envelopeOf(schema.typeName, payload);
        const decoded = touchedFieldsByDecoding(envelope);
        expect({ type: schema.typeName, i, fields: scanTouchedFields(schema, payload) }).toEqual({ type: schema.typeName, i, fields: decoded });
        expect(touchedFields(envelope)).toEqual(decoded);
        compared++;
        if (decoded.length > 0) withPaths++;
      }
    }
    // The generator reaches the messages that carry paths, not only the ones without.
    expect(compared).toBeGreaterThan(1_000);
    expect(withPaths).toBeGreaterThan(100);
  });

  it('given damaged, cut, doubled or padded payloads, then the answer is the full decode’s, whatever path it took', () => {
    const random = prng(29);
    const schemas = messageTypes();
    let fellBack = 0;
    for (let i = 0; i < 6_000; i++) {
      const schema = schemas[Math.floor(random() * schemas.length)]!;
      const original = toBinary(schema, create(schema, randomMessage(schema, random) as MessageInitShape<typeof schema>));
      const other = toBinary(schema, create(schema, randomMessage(schema, random) as MessageInitShape<typeof schema>));
      let bytes: Uint8Array;
      switch (i % 6) {
        case 0: // bytes flipped
          bytes = Uint8Array.from(original);
          for (let k = 0; k < 1 + Math.floor(random() * 3) && bytes.length > 0; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
          break;
        case 1: // cut short
          bytes = original.subarray(0, Math.floor(random() * original.length));
          break;
        case 2: // two encodings concatenated: protobuf merges them (lists append, singular messages merge)
          bytes = concat(original, other);
          break;
        case 3: // unknown fields of every wire type, before and after
          bytes = concat(
            Uint8Array.of(0xf8, 0x07, 0x96, 0x01),
            original,
            Uint8Array.of(0xfa, 0x07, 0x02, 0x41, 0x42, 0xfd, 0x07, 1, 2, 3, 4, 0xf9, 0x07, 1, 2, 3, 4, 5, 6, 7, 8),
          );
          break;
        case 4: // a byte inserted
          {
            const at = Math.floor(random() * (original.length + 1));
            bytes = concat(original.subarray(0, at), Uint8Array.of(Math.floor(random() * 256)), original.subarray(at));
          }
          break;
        default: // random bytes
          bytes = Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
      }
      const envelope = envelopeOf(schema.typeName, bytes);
      const decoded = touchedFieldsByDecoding(envelope);
      if (scanTouchedFields(schema, bytes) === undefined) fellBack++;
      expect({ type: schema.typeName, i, fields: touchedFields(envelope) }).toEqual({ type: schema.typeName, i, fields: decoded });
    }
    // Both ways were taken: the damage was seen by the scan, and not everything was handed to the decode.
    expect(fellBack).toBeGreaterThan(500);
    expect(fellBack).toBeLessThan(5_500);
  });

  it('given a rectification, then changed and removed paths come sorted and once each, values unread', () => {
    const sealed = { algorithm: 1, keyId: 'k', keyVersion: 1, nonce: new Uint8Array(12), ciphertext: new Uint8Array(30).fill(9) };
    const payload = toBinary(
      ContactRectifiedSchema,
      create(ContactRectifiedSchema, {
        contactId: 'c-1',
        changed: [
          { path: 'phones[]', category: DataCategory.CONTACT, value: sealed },
          { path: 'emails[]', category: DataCategory.CONTACT, value: sealed },
        ],
        removed: ['phones[]', 'notes[]', ''],
      }),
    );
    expect(scanTouchedFields(ContactRectifiedSchema, payload)).toEqual(['emails[]', 'notes[]', 'phones[]']);
  });

  it('given two encodings back to back (protobuf merges them), then the lists of both are read, as the decode reads them', () => {
    const twice = concat(
      toBinary(ContactDataAccessedSchema, create(ContactDataAccessedSchema, { contactId: 'c', fields: ['a'] })),
      toBinary(ContactDataAccessedSchema, create(ContactDataAccessedSchema, { contactId: 'd', fields: ['b'] })),
    );
    expect(scanTouchedFields(ContactDataAccessedSchema, twice)).toEqual(['a', 'b']);
    expect(touchedFields(envelopeOf(ContactDataAccessedSchema.typeName, twice))).toEqual(['a', 'b']);
  });

  it('given an unknown payload type or bytes that do not decode, then no field is touched', () => {
    expect(touchedFields(envelopeOf('crm.nowhere.v1.Unknown', Uint8Array.of(10, 1, 65)))).toEqual([]);
    expect(touchedFields(envelopeOf(ContactDataAccessedSchema.typeName, Uint8Array.of(0x12, 0x05, 0x41)))).toEqual([]);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
