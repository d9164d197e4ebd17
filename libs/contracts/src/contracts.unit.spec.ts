import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DescMessage, Message } from '@bufbuild/protobuf';
import {
  ActorType,
  ContractError,
  DeadLetterSchema,
  EventEnvelopeSchema,
  KekRotatedSchema,
  LegalBasis,
  SampleRecordedSchema,
  SealAlgorithm,
  SealedFieldSchema,
  ShredReason,
  SubjectKeyShreddedSchema,
  create,
  dateFromTimestamp,
  decodeEnvelope,
  decodePayload,
  eventRegistry,
  fromBinary,
  timestampFromDate,
  toBinary,
  type SampleRecorded,
} from './index.js';

const occurredAt = new Date('2025-03-14T09:26:53.589Z');

function sealedNote() {
  return create(SealedFieldSchema, {
    algorithm: SealAlgorithm.AES_256_GCM,
    keyId: 'subject-key-0192',
    keyVersion: 3,
    nonce: new Uint8Array(12).fill(7),
    ciphertext: new Uint8Array(40).fill(9),
  });
}

function sample(): SampleRecorded {
  return create(SampleRecordedSchema, { sampleId: 'sample-1', note: sealedNote(), amountCents: -1234567890123n, category: 'groceries' });
}

function envelopeOf(payload: SampleRecorded, overrides: { payloadType?: string } = {}) {
  return create(EventEnvelopeSchema, {
    eventId: '0195945a-6e2d-7b4c-9c1e-6f0a2b3c4d5e',
    eventType: 'crm.testing.v1.SampleRecorded',
    schemaVersion: 1,
    streamId: 'sample-stream-1',
    streamVersion: 2n ** 53n + 1n,
    subjectId: 'subject-0192',
    actor: { id: 'user-42', type: ActorType.USER },
    purpose: 'customer-service',
    legalBasis: LegalBasis.CONTRACT,
    occurredAt: timestampFromDate(occurredAt),
    correlationId: 'corr-1',
    causationId: 'cmd-1',
    keyId: 'subject-key-0192',
    payload: toBinary(SampleRecordedSchema, payload),
    payloadType: overrides.payloadType ?? SampleRecordedSchema.typeName,
  });
}

function roundTrip<Desc extends DescMessage>(schema: Desc, message: Message) {
  return fromBinary(schema, toBinary(schema, message as never));
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('event contracts', () => {
  describe('round trips', () => {
    it('given an envelope carrying a sample payload, when encoded and decoded, then every field survives', () => {
      const envelope = envelopeOf(sample());

      const decoded = decodeEnvelope(toBinary(EventEnvelopeSchema, envelope));

      expect(decoded).toEqual(envelope);
      expect(decoded.streamVersion).toBe(9007199254740993n);
      expect(dateFromTimestamp(decoded.occurredAt!)).toEqual(occurredAt);
    });

    it.each([
      ['SealedField', SealedFieldSchema, () => sealedNote()],
      ['SampleRecorded', SampleRecordedSchema, () => sample()],
      [
        'SubjectKeyShredded',
        SubjectKeyShreddedSchema,
        () =>
          create(SubjectKeyShreddedSchema, {
            subjectId: 'subject-0192',
            shreddedAt: timestampFromDate(occurredAt),
            keyVersions: [1, 2, 3],
            reason: ShredReason.ERASURE_REQUEST,
          }),
      ],
      [
        'KekRotated',
        KekRotatedSchema,
        () => create(KekRotatedSchema, { fromEpoch: 4, toEpoch: 5, rotatedAt: timestampFromDate(occurredAt), rewrappedKeys: 123456789012n }),
      ],
      [
        'DeadLetter',
        DeadLetterSchema,
        () =>
          create(DeadLetterSchema, {
            originalValue: new Uint8Array([0xff, 0x00, 0x13]),
            originalKey: new TextEncoder().encode('subject-0192'),
            originalTopic: 'crm.testing.events',
            originalPartition: 2,
            originalOffset: 9876543210n,
            errorCode: 'EVENT_DECODE_FAILED',
            consumerGroup: 'testing-projector',
            failedAt: timestampFromDate(occurredAt),
            attempts: 3,
          }),
      ],
    ])('given a %s, when encoded and decoded, then it is unchanged', (_name, schema, build) => {
      const message = build();

      expect(roundTrip(schema, message)).toEqual(message);
    });
  });

  describe('decodeEnvelope', () => {
    it.each([
      ['a truncated length-delimited field', new Uint8Array([0x0a, 0x10, 0x41])],
      ['an invalid wire type', new Uint8Array([0x0f, 0x01])],
      ['an overlong varint tag', new Uint8Array(11).fill(0xff)],
    ])('given %s, when decoded, then it fails with EVENT_DECODE_FAILED and no payload bytes in the message', (_name, garbage) => {
      const error = thrown(() => decodeEnvelope(garbage));

      expect(error).toBeInstanceOf(ContractError);
      expect(error).toMatchObject({ code: 'EVENT_DECODE_FAILED', retriable: false, name: 'ContractError' });
      expect((error as Error).message).toBe(`cannot decode crm.events.v1.EventEnvelope from ${garbage.length} bytes`);
    });

    it('given an empty value (e.g. a tombstone), when decoded, then it is refused rather than read as a blank event', () => {
      expect(thrown(() => decodeEnvelope(new Uint8Array()))).toMatchObject({ code: 'EVENT_DECODE_FAILED' });
    });
  });

  describe('payload decoding by payload_type', () => {
    it('given an envelope, when its payload is decoded through the registry, then the typed payload comes back', () => {
      const payload = sample();
      const envelope = decodeEnvelope(toBinary(EventEnvelopeSchema, envelopeOf(payload)));

      const decoded = decodePayload(envelope);

      expect(decoded.$typeName).toBe('crm.testing.v1.SampleRecorded');
      expect(decoded).toEqual(payload);
      expect(eventRegistry.getMessage(envelope.payloadType)).toBe(SampleRecordedSchema);
    });

    it('given an expected schema, when the payload is decoded as it, then the result is typed as that message', () => {
      const envelope = envelopeOf(sample());

      const decoded = decodePayload(envelope, SampleRecordedSchema);

      expect(decoded.note?.keyVersion).toBe(3);
      expect(decoded.amountCents).toBe(-1234567890123n);
    });

    it('given a payload_type nobody registered, when decoded, then it fails with EVENT_PAYLOAD_TYPE_UNKNOWN', () => {
      const envelope = envelopeOf(sample(), { payloadType: 'crm.nowhere.v1.Unknown' });

      expect(thrown(() => decodePayload(envelope))).toMatchObject({ code: 'EVENT_PAYLOAD_TYPE_UNKNOWN' });
    });

    it('given a payload_type other than the expected schema, when decoded as it, then it fails with EVENT_PAYLOAD_TYPE_MISMATCH', () => {
      const envelope = envelopeOf(sample());

      expect(thrown(() => decodePayload(envelope, KekRotatedSchema))).toMatchObject({ code: 'EVENT_PAYLOAD_TYPE_MISMATCH' });
    });

    it('given a corrupt payload, when decoded, then it fails with EVENT_DECODE_FAILED naming the payload type only', () => {
      const envelope = create(EventEnvelopeSchema, { ...envelopeOf(sample()), payload: new Uint8Array([0x12, 0x7f, 0x01]) });

      const error = thrown(() => decodePayload(envelope));

      expect(error).toMatchObject({ code: 'EVENT_DECODE_FAILED', message: 'cannot decode crm.testing.v1.SampleRecorded from 3 bytes' });
    });

    it('given every message generated from proto/, then the registry knows it (a new message must be registered)', async () => {
      const genDir = fileURLToPath(new URL('./gen/', import.meta.url));
      const files = (await readdir(genDir, { recursive: true })).filter((file) => file.endsWith('_pb.ts'));
      const modules = await Promise.all(files.map(async (file) => (await import(`${genDir}${file}`)) as Record<string, unknown>));
      const generated = modules
        .flatMap((module) => Object.values(module))
        .filter((value): value is DescMessage => typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'message');

      expect(generated.length).toBeGreaterThanOrEqual(7);
      expect(generated.filter((desc) => eventRegistry.getMessage(desc.typeName) === undefined).map((desc) => desc.typeName)).toEqual([]);
    });
  });
});
