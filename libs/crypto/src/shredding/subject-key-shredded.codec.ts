import {
  create,
  dateFromTimestamp,
  fromBinary,
  ShredReason as ShredReasonMessage,
  SubjectKeyShreddedSchema,
  timestampFromDate,
  toBinary,
} from '@crm/contracts';
import { cryptoError } from '../crypto.errors.js';
import { isShredReason, type ShredReason } from '../keys/key-store.port.js';

/** Announces that a subject's keys are destroyed. PII-free: an id, a time, version numbers and a reason code. */
export interface SubjectKeyShredded {
  subjectId: string;
  shreddedAt: Date;
  keyVersions: number[];
  reason: ShredReason;
}

/**
 * How announcements are put on the wire: the `crm.keys.v1.SubjectKeyShredded` protobuf contract, so analysts and
 * other services decode them with the same schemas as every event.
 */
export interface ShredAnnouncementCodec {
  /** Sent as the `content-type` header so consumers can tell encodings apart. */
  readonly contentType: string;
  encode(announcement: SubjectKeyShredded): Uint8Array;
  /** Throws SHRED_ANNOUNCEMENT_INVALID for anything that is not a well-formed announcement. */
  decode(bytes: Uint8Array): SubjectKeyShredded;
}

export const SUBJECT_KEY_SHREDDED_TYPE = 'crm.keys.v1.SubjectKeyShredded';

const TO_WIRE: Record<ShredReason, ShredReasonMessage> = {
  ERASURE_REQUEST: ShredReasonMessage.ERASURE_REQUEST,
  RETENTION_EXPIRED: ShredReasonMessage.RETENTION_EXPIRED,
  ADMINISTRATIVE: ShredReasonMessage.ADMINISTRATIVE,
};

export const protobufShredAnnouncementCodec: ShredAnnouncementCodec = {
  contentType: `application/x-protobuf; messageType=${SUBJECT_KEY_SHREDDED_TYPE}`,

  encode(announcement) {
    return toBinary(
      SubjectKeyShreddedSchema,
      create(SubjectKeyShreddedSchema, {
        subjectId: announcement.subjectId,
        shreddedAt: timestampFromDate(announcement.shreddedAt),
        keyVersions: announcement.keyVersions,
        reason: TO_WIRE[announcement.reason],
      }),
    );
  },

  decode(bytes) {
    let message;
    try {
      message = fromBinary(SubjectKeyShreddedSchema, bytes);
    } catch (error) {
      throw cryptoError('SHRED_ANNOUNCEMENT_INVALID', 'shred announcement is not a SubjectKeyShredded message', { cause: error });
    }
    const reason = (Object.keys(TO_WIRE) as ShredReason[]).find((key) => TO_WIRE[key] === message.reason);
    const at = message.shreddedAt === undefined ? undefined : dateFromTimestamp(message.shreddedAt);
    if (
      message.subjectId.length === 0 ||
      at === undefined ||
      !message.keyVersions.every((version) => Number.isInteger(version) && version > 0) ||
      reason === undefined ||
      !isShredReason(reason)
    ) {
      throw cryptoError('SHRED_ANNOUNCEMENT_INVALID', 'shred announcement lacks subjectId, shreddedAt, keyVersions or reason');
    }
    return { subjectId: message.subjectId, shreddedAt: at, keyVersions: [...message.keyVersions], reason };
  },
};
