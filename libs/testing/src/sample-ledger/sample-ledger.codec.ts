import {
  create,
  fromBinary,
  SealAlgorithm,
  SampleRecordedSchema,
  SealedFieldSchema,
  toBinary,
  type EventEnvelope,
  type SealedField as SealedFieldMessage,
} from '@crm/contracts';
import { sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import type { EventCodec } from '@crm/eventstore';
import type { SampleRecorded } from './sample-ledger.decider.js';

export const SAMPLE_RECORDED = 'crm.testing.v1.SampleRecorded';
const NOTE_FIELD = 'note';

/**
 * Seals `note` with the subject's key on the way in and opens it on the way out. `cipher: undefined` builds the
 * plaintext variant the benchmark uses to price encryption; nothing else may use it.
 */
export function sampleLedgerCodec(cipher: FieldCipher | undefined): EventCodec<SampleRecorded> {
  return {
    async encode(event) {
      const note = cipher === undefined ? plaintextField(event.note) : sealedFieldToProto(await cipher.seal(event.subjectId, NOTE_FIELD, event.note));
      const payload = create(SampleRecordedSchema, { sampleId: event.sampleId, note, amountCents: event.amountCents, category: event.category });
      return {
        type: SAMPLE_RECORDED,
        payloadType: SAMPLE_RECORDED,
        payload: toBinary(SampleRecordedSchema, payload),
        subjectId: event.subjectId,
        keyId: note.keyId,
      };
    },
    async decode(envelope: EventEnvelope) {
      const payload = fromBinary(SampleRecordedSchema, envelope.payload);
      const sealed = payload.note;
      const note =
        sealed === undefined
          ? ''
          : cipher === undefined
            ? Buffer.from(sealed.ciphertext).toString()
            : await cipher.openText(envelope.subjectId, NOTE_FIELD, sealedFieldFromProto(sealed));
      return {
        type: 'SampleRecorded',
        sampleId: payload.sampleId,
        subjectId: envelope.subjectId,
        note,
        amountCents: payload.amountCents,
        category: payload.category,
      };
    },
  };
}

function plaintextField(value: string): SealedFieldMessage {
  return create(SealedFieldSchema, { algorithm: SealAlgorithm.UNSPECIFIED, ciphertext: Buffer.from(value) });
}
