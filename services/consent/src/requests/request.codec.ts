import {
  dateFromTimestamp,
  decodePayload,
  SubjectRequestCompletedSchema,
  SubjectRequestDueSoonSchema,
  SubjectRequestExtendedSchema,
  SubjectRequestFiledSchema,
  SubjectRequestIdentityVerifiedSchema,
  SubjectRequestOverdueSchema,
  SubjectRequestRefusedSchema,
  SubjectRequestStartedSchema,
  SubjectRequestType as WireType,
  timestampFromDate,
  type EventEnvelope,
} from '@crm/contracts';
import { isCryptoError, sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import { protoEvent, type EventCodec } from '@crm/eventstore';
import { CHANNEL } from '../consents/consent.codec.js';
import type { RequestEvent } from './request.decider.js';
import { requestFieldPath, VERIFICATION_METHODS, type RequestType, type VerificationMethod } from './request.streams.js';

const TYPE: Record<RequestType, WireType> = {
  access: WireType.ACCESS,
  portability: WireType.PORTABILITY,
  rectification: WireType.RECTIFICATION,
  erasure: WireType.ERASURE,
  restriction: WireType.RESTRICTION,
  objection: WireType.OBJECTION,
};
const reverse = <K extends string, V>(table: Record<K, V>) => new Map<V, K>(Object.entries(table).map(([key, value]) => [value as V, key as K]));
const CHANNEL_OF = reverse(CHANNEL);
const TYPE_OF = reverse(TYPE);

const known = <V, K>(map: Map<V, K>, wire: V, what: string): K => {
  const value = map.get(wire);
  if (value === undefined) throw new Error(`a data-subject request event with an unknown ${what}: ${String(wire)}`);
  return value;
};
const method = (value: string): VerificationMethod => {
  if (!(VERIFICATION_METHODS as readonly string[]).includes(value)) throw new Error(`a verification with an unknown method: ${value}`);
  return value as VerificationMethod;
};
const iso = (timestamp: Parameters<typeof dateFromTimestamp>[0] | undefined): string =>
  timestamp === undefined ? new Date(0).toISOString() : dateFromTimestamp(timestamp).toISOString();
const stamp = (value: string) => timestampFromDate(new Date(value));

/** A request event as read back for its history: the sealed texts are `null` once the contact's key is shredded. */
export type RequestHistoryEvent = {
  [E in RequestEvent as E['type']]: {
    [K in keyof E]: K extends 'channelReference' | 'evidence' | 'reason' | 'reference' ? E[K] | null : E[K];
  };
}[RequestEvent['type']];

/**
 * Data-subject request events on the wire (`crm.consent.v1`). Types, statuses, methods, due dates and times stay
 * readable (the audit trail counts and dates them); the channel reference, the identity evidence, the reasons of
 * an extension or a refusal and the completion reference are sealed under the contact's key, bound to the request
 * and the part. The actor is the envelope's.
 */
export function requestCodec(cipher: FieldCipher): EventCodec<RequestEvent> & { decodeHistory(envelope: EventEnvelope): Promise<RequestHistoryEvent> } {
  const seal = async (contactId: string, requestId: string, part: Parameters<typeof requestFieldPath>[1], text: string) =>
    sealedFieldToProto(await cipher.seal(contactId, requestFieldPath(requestId, part), text));

  const decodeWith = async (envelope: EventEnvelope, shredded: 'throw' | 'null'): Promise<RequestHistoryEvent> => {
    const actorId = envelope.actor?.id ?? '';
    const open = async (requestId: string, part: Parameters<typeof requestFieldPath>[1], sealed: Parameters<typeof sealedFieldFromProto>[0] | undefined) => {
      if (sealed === undefined) return undefined;
      try {
        return await cipher.openText(envelope.subjectId, requestFieldPath(requestId, part), sealedFieldFromProto(sealed));
      } catch (error) {
        if (shredded === 'throw' || !isCryptoError(error, 'KEY_SHREDDED')) throw error;
        return null;
      }
    };
    const required = (text: string | null | undefined): string | null => {
      if (text === undefined) throw new Error('a data-subject request event without its sealed text');
      return text;
    };
    switch (envelope.payloadType) {
      case SubjectRequestFiledSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestFiledSchema);
        const channelReference = await open(m.requestId, 'channel-reference', m.channelReference);
        return {
          type: 'RequestFiled',
          requestId: m.requestId,
          contactId: m.contactId,
          requestType: known(TYPE_OF, m.type, 'type'),
          channel: known(CHANNEL_OF, m.channel, 'channel'),
          ...(channelReference === undefined ? {} : { channelReference }),
          receivedAt: iso(m.receivedAt),
          dueAt: iso(m.dueAt),
          actorId,
          at: iso(m.filedAt),
        };
      }
      case SubjectRequestIdentityVerifiedSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestIdentityVerifiedSchema);
        const evidence = required(await open(m.requestId, 'verification-evidence', m.evidence));
        return { type: 'IdentityVerified', requestId: m.requestId, contactId: m.contactId, method: method(m.method), evidence, actorId, at: iso(m.verifiedAt) };
      }
      case SubjectRequestExtendedSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestExtendedSchema);
        const reason = required(await open(m.requestId, 'extension-reason', m.reason));
        return {
          type: 'RequestExtended',
          requestId: m.requestId,
          contactId: m.contactId,
          months: m.months,
          totalMonths: m.totalMonths,
          reason,
          dueAt: iso(m.dueAt),
          actorId,
          at: iso(m.extendedAt),
        };
      }
      case SubjectRequestStartedSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestStartedSchema);
        return { type: 'RequestStarted', requestId: m.requestId, contactId: m.contactId, actorId, at: iso(m.startedAt) };
      }
      case SubjectRequestCompletedSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestCompletedSchema);
        const reference = await open(m.requestId, 'completion-reference', m.reference);
        return {
          type: 'RequestCompleted',
          requestId: m.requestId,
          contactId: m.contactId,
          ...(reference === undefined ? {} : { reference }),
          actorId,
          at: iso(m.completedAt),
        };
      }
      case SubjectRequestRefusedSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestRefusedSchema);
        const reason = required(await open(m.requestId, 'refusal-reason', m.reason));
        return { type: 'RequestRefused', requestId: m.requestId, contactId: m.contactId, reason, actorId, at: iso(m.refusedAt) };
      }
      case SubjectRequestDueSoonSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestDueSoonSchema);
        return { type: 'RequestDueSoon', requestId: m.requestId, contactId: m.contactId, dueAt: iso(m.dueAt), actorId, at: iso(m.remindedAt) };
      }
      case SubjectRequestOverdueSchema.typeName: {
        const m = decodePayload(envelope, SubjectRequestOverdueSchema);
        return { type: 'RequestOverdue', requestId: m.requestId, contactId: m.contactId, dueAt: iso(m.dueAt), actorId, at: iso(m.markedAt) };
      }
      default:
        throw new Error(`not a data-subject request event: ${envelope.payloadType}`);
    }
  };

  return {
    async encode(event) {
      const { requestId, contactId } = event;
      switch (event.type) {
        case 'RequestFiled': {
          const channelReference =
            event.channelReference === undefined ? undefined : await seal(contactId, requestId, 'channel-reference', event.channelReference);
          return protoEvent(
            SubjectRequestFiledSchema,
            {
              requestId,
              contactId,
              type: TYPE[event.requestType],
              channel: CHANNEL[event.channel],
              ...(channelReference === undefined ? {} : { channelReference }),
              receivedAt: stamp(event.receivedAt),
              dueAt: stamp(event.dueAt),
              filedAt: stamp(event.at),
            },
            contactId,
            channelReference?.keyId,
          );
        }
        case 'IdentityVerified': {
          const evidence = await seal(contactId, requestId, 'verification-evidence', event.evidence);
          return protoEvent(
            SubjectRequestIdentityVerifiedSchema,
            { requestId, contactId, method: event.method, evidence, verifiedAt: stamp(event.at) },
            contactId,
            evidence.keyId,
          );
        }
        case 'RequestExtended': {
          const reason = await seal(contactId, requestId, 'extension-reason', event.reason);
          return protoEvent(
            SubjectRequestExtendedSchema,
            { requestId, contactId, months: event.months, totalMonths: event.totalMonths, reason, dueAt: stamp(event.dueAt), extendedAt: stamp(event.at) },
            contactId,
            reason.keyId,
          );
        }
        case 'RequestStarted':
          return protoEvent(SubjectRequestStartedSchema, { requestId, contactId, startedAt: stamp(event.at) }, contactId);
        case 'RequestCompleted': {
          const reference = event.reference === undefined ? undefined : await seal(contactId, requestId, 'completion-reference', event.reference);
          return protoEvent(
            SubjectRequestCompletedSchema,
            { requestId, contactId, ...(reference === undefined ? {} : { reference }), completedAt: stamp(event.at) },
            contactId,
            reference?.keyId,
          );
        }
        case 'RequestRefused': {
          const reason = await seal(contactId, requestId, 'refusal-reason', event.reason);
          return protoEvent(SubjectRequestRefusedSchema, { requestId, contactId, reason, refusedAt: stamp(event.at) }, contactId, reason.keyId);
        }
        case 'RequestDueSoon':
          return protoEvent(SubjectRequestDueSoonSchema, { requestId, contactId, dueAt: stamp(event.dueAt), remindedAt: stamp(event.at) }, contactId);
        case 'RequestOverdue':
          return protoEvent(SubjectRequestOverdueSchema, { requestId, contactId, dueAt: stamp(event.dueAt), markedAt: stamp(event.at) }, contactId);
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },

    decode: (envelope) => decodeWith(envelope, 'throw') as Promise<RequestEvent>,
    decodeHistory: (envelope) => decodeWith(envelope, 'null'),
  };
}
