import { cryptoError } from '../crypto.errors.js';

/** Announces that a subject's keys are destroyed. PII-free: an id, a time, version numbers and a reason code. */
export interface SubjectKeyShredded {
  subjectId: string;
  shreddedAt: Date;
  keyVersions: number[];
  reason: string;
}

/**
 * How announcements are put on the wire. JSON today, so this lib does not depend on generated protobuf code that
 * is still being written; a protobuf codec (`crm.keys.v1.SubjectKeyShredded`) can replace it without touching
 * announcer or listener.
 */
export interface ShredAnnouncementCodec {
  /** Sent as the `content-type` header so consumers can tell encodings apart during a switch-over. */
  readonly contentType: string;
  encode(announcement: SubjectKeyShredded): Uint8Array;
  /** Throws SHRED_ANNOUNCEMENT_INVALID for anything that is not a well-formed announcement. */
  decode(bytes: Uint8Array): SubjectKeyShredded;
}

export const SUBJECT_KEY_SHREDDED_TYPE = 'crm.keys.v1.SubjectKeyShredded';

export const jsonShredAnnouncementCodec: ShredAnnouncementCodec = {
  contentType: 'application/json',

  encode(announcement) {
    const body = {
      subjectId: announcement.subjectId,
      shreddedAt: announcement.shreddedAt.toISOString(),
      keyVersions: announcement.keyVersions,
      reason: announcement.reason,
    };
    return new TextEncoder().encode(JSON.stringify(body));
  },

  decode(bytes) {
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw cryptoError('SHRED_ANNOUNCEMENT_INVALID', 'shred announcement is not UTF-8 JSON', error);
    }
    if (typeof body !== 'object' || body === null) throw cryptoError('SHRED_ANNOUNCEMENT_INVALID', 'shred announcement is not an object');
    const { subjectId, shreddedAt, keyVersions, reason } = body as Record<string, unknown>;
    const at = typeof shreddedAt === 'string' ? new Date(shreddedAt) : undefined;
    if (
      typeof subjectId !== 'string' ||
      subjectId.length === 0 ||
      at === undefined ||
      Number.isNaN(at.getTime()) ||
      !Array.isArray(keyVersions) ||
      !keyVersions.every((version) => Number.isInteger(version) && version > 0) ||
      typeof reason !== 'string'
    ) {
      throw cryptoError('SHRED_ANNOUNCEMENT_INVALID', 'shred announcement lacks subjectId, shreddedAt, keyVersions or reason');
    }
    return { subjectId, shreddedAt: at, keyVersions: keyVersions as number[], reason };
  },
};
