import { create, dateFromTimestamp, fromBinary, KekRotatedSchema, timestampFromDate, toBinary } from '@crm/contracts';
import { cryptoError } from '../crypto.errors.js';
import type { KekRotation } from '../keys/key-store.port.js';

/** Announces that every epoch below `toEpoch` is destroyed. PII-free and key-free: epoch numbers, a time, a count. */
export interface KekRotatedAnnouncement {
  /** The highest epoch the rotation retired (every epoch below `toEpoch` is destroyed). */
  fromEpoch: number;
  toEpoch: number;
  rotatedAt: Date;
  rewrappedKeys: number;
}

export const KEK_ROTATED_TYPE = 'crm.keys.v1.KekRotated';
export const KEK_ROTATED_CONTENT_TYPE = `application/x-protobuf; messageType=${KEK_ROTATED_TYPE}`;

export function kekRotatedAnnouncement(rotation: KekRotation): KekRotatedAnnouncement {
  const fromEpoch = rotation.retiredEpochs.length > 0 ? Math.max(...rotation.retiredEpochs) : rotation.epoch - 1;
  return { fromEpoch, toEpoch: rotation.epoch, rotatedAt: rotation.rotatedAt, rewrappedKeys: rotation.rewrapped };
}

export function encodeKekRotated(announcement: KekRotatedAnnouncement): Uint8Array {
  return toBinary(
    KekRotatedSchema,
    create(KekRotatedSchema, {
      fromEpoch: announcement.fromEpoch,
      toEpoch: announcement.toEpoch,
      rotatedAt: timestampFromDate(announcement.rotatedAt),
      rewrappedKeys: BigInt(announcement.rewrappedKeys),
    }),
  );
}

/** Throws KEK_ROTATION_ANNOUNCEMENT_INVALID for anything that is not a well-formed announcement. */
export function decodeKekRotated(bytes: Uint8Array): KekRotatedAnnouncement {
  let message;
  try {
    message = fromBinary(KekRotatedSchema, bytes);
  } catch (error) {
    throw cryptoError('KEK_ROTATION_ANNOUNCEMENT_INVALID', 'KEK rotation announcement is not a KekRotated message', { cause: error });
  }
  if (message.toEpoch < 1 || message.fromEpoch >= message.toEpoch || message.rotatedAt === undefined) {
    throw cryptoError('KEK_ROTATION_ANNOUNCEMENT_INVALID', 'KEK rotation announcement lacks toEpoch, fromEpoch below it, or rotatedAt');
  }
  return {
    fromEpoch: message.fromEpoch,
    toEpoch: message.toEpoch,
    rotatedAt: dateFromTimestamp(message.rotatedAt),
    rewrappedKeys: Number(message.rewrappedKeys),
  };
}
