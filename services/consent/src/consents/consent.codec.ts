import {
  ConsentChannel as WireChannel,
  ConsentConfirmationRequestedSchema,
  ConsentGivenSchema,
  ConsentWithdrawnSchema,
  dateFromTimestamp,
  decodePayload,
  ObjectionRecordedSchema,
  timestampFromDate,
  type EventEnvelope,
} from '@crm/contracts';
import { isCryptoError, sealedFieldFromProto, sealedFieldToProto, type FieldCipher } from '@crm/crypto';
import { protoEvent, type EventCodec } from '@crm/eventstore';
import type { ConsentChannel, ConsentConfirmationRequested, ConsentEvent, ConsentGiven, Evidence } from './consent.decider.js';

/** Channels on the wire; the request desk's events use the same enum. */
export const CHANNEL: Record<ConsentChannel, WireChannel> = {
  'web-form': WireChannel.WEB_FORM,
  email: WireChannel.EMAIL,
  phone: WireChannel.PHONE,
  sms: WireChannel.SMS,
  'in-person': WireChannel.IN_PERSON,
  paper: WireChannel.PAPER,
};
const CHANNEL_OF = new Map<WireChannel, ConsentChannel>(Object.entries(CHANNEL).map(([code, wire]) => [wire, code as ConsentChannel]));

const channelOf = (wire: WireChannel): ConsentChannel | undefined => CHANNEL_OF.get(wire);
const optionalChannel = (wire: WireChannel) => {
  const channel = channelOf(wire);
  return channel === undefined ? {} : { channel };
};
const iso = (timestamp: Parameters<typeof dateFromTimestamp>[0] | undefined): string =>
  timestamp === undefined ? new Date(0).toISOString() : dateFromTimestamp(timestamp).toISOString();

/** The evidence is bound to the contact and to the purpose it proves, so it cannot be moved to another person or consent. */
export const evidencePath = (purpose: string): string => `consent.evidence.${purpose}`;
/** A double opt-in request's evidence, bound apart from a given consent's (it proves the request, not the consent). */
export const confirmationEvidencePath = (purpose: string): string => `consent.confirmation-evidence.${purpose}`;

/** A consent event as read back for its history: the evidence is `null` once the contact's key is shredded. */
export type ConsentHistoryEvent =
  | Exclude<ConsentEvent, ConsentGiven | ConsentConfirmationRequested>
  | (Omit<ConsentGiven, 'evidence'> & { evidence: Evidence | null })
  | (Omit<ConsentConfirmationRequested, 'evidence'> & { evidence: Evidence | null });

/**
 * Consent events on the wire (`crm.consent.v1`). Purposes, notice versions, channels and times stay readable (the
 * audit trail and the register count them); the evidence is sealed under the contact's key. The actor is the
 * envelope's, so it is not repeated in the payload.
 */
export function consentCodec(cipher: FieldCipher): EventCodec<ConsentEvent> & { decodeHistory(envelope: EventEnvelope): Promise<ConsentHistoryEvent> } {
  const open = async (envelope: EventEnvelope, path: string, sealed: Parameters<typeof sealedFieldFromProto>[0] | undefined): Promise<Evidence> => {
    if (sealed === undefined) throw new Error('a consent event without evidence');
    return JSON.parse(await cipher.openText(envelope.subjectId, path, sealedFieldFromProto(sealed))) as Evidence;
  };
  const openOrNull = async (
    envelope: EventEnvelope,
    path: string,
    sealed: Parameters<typeof sealedFieldFromProto>[0] | undefined,
    shredded: 'throw' | 'null',
  ): Promise<Evidence | null> => {
    try {
      return await open(envelope, path, sealed);
    } catch (error) {
      if (shredded === 'throw' || !isCryptoError(error, 'KEY_SHREDDED')) throw error;
      return null;
    }
  };

  const decodeWith = async (envelope: EventEnvelope, shredded: 'throw' | 'null'): Promise<ConsentHistoryEvent> => {
    const actorId = envelope.actor?.id ?? '';
    switch (envelope.payloadType) {
      case ConsentGivenSchema.typeName: {
        const message = decodePayload(envelope, ConsentGivenSchema);
        const evidence = await openOrNull(envelope, evidencePath(message.purpose), message.evidence, shredded);
        return {
          type: 'ConsentGiven',
          contactId: message.contactId,
          purpose: message.purpose,
          catalogueVersion: message.catalogueVersion,
          noticeVersion: message.noticeVersion,
          noticeContentSha256: message.noticeContentSha256,
          channel: channelOf(message.channel) ?? 'web-form',
          evidence,
          ...(message.confirmationTokenSha256 === '' ? {} : { confirmationTokenSha256: message.confirmationTokenSha256 }),
          actorId,
          at: iso(message.givenAt),
        };
      }
      case ConsentConfirmationRequestedSchema.typeName: {
        const message = decodePayload(envelope, ConsentConfirmationRequestedSchema);
        return {
          type: 'ConsentConfirmationRequested',
          contactId: message.contactId,
          purpose: message.purpose,
          catalogueVersion: message.catalogueVersion,
          noticeVersion: message.noticeVersion,
          noticeContentSha256: message.noticeContentSha256,
          channel: channelOf(message.channel) ?? 'email',
          evidence: await openOrNull(envelope, confirmationEvidencePath(message.purpose), message.evidence, shredded),
          tokenSha256: message.tokenSha256,
          expiresAt: iso(message.expiresAt),
          actorId,
          at: iso(message.requestedAt),
        };
      }
      case ConsentWithdrawnSchema.typeName: {
        const message = decodePayload(envelope, ConsentWithdrawnSchema);
        return {
          type: 'ConsentWithdrawn',
          contactId: message.contactId,
          purpose: message.purpose,
          ...optionalChannel(message.channel),
          actorId,
          at: iso(message.withdrawnAt),
        };
      }
      case ObjectionRecordedSchema.typeName: {
        const message = decodePayload(envelope, ObjectionRecordedSchema);
        return {
          type: 'ObjectionRecorded',
          contactId: message.contactId,
          purpose: message.purpose,
          catalogueVersion: message.catalogueVersion,
          ...optionalChannel(message.channel),
          actorId,
          at: iso(message.recordedAt),
        };
      }
      default:
        throw new Error(`not a consent event: ${envelope.payloadType}`);
    }
  };

  return {
    async encode(event) {
      switch (event.type) {
        case 'ConsentGiven': {
          const evidence = sealedFieldToProto(await cipher.seal(event.contactId, evidencePath(event.purpose), JSON.stringify(event.evidence)));
          const data = {
            contactId: event.contactId,
            purpose: event.purpose,
            catalogueVersion: event.catalogueVersion,
            noticeVersion: event.noticeVersion,
            noticeContentSha256: event.noticeContentSha256,
            channel: CHANNEL[event.channel],
            evidence,
            givenAt: timestampFromDate(new Date(event.at)),
            confirmationTokenSha256: event.confirmationTokenSha256 ?? '',
          };
          return protoEvent(ConsentGivenSchema, data, event.contactId, evidence.keyId);
        }
        case 'ConsentConfirmationRequested': {
          const evidence = sealedFieldToProto(await cipher.seal(event.contactId, confirmationEvidencePath(event.purpose), JSON.stringify(event.evidence)));
          const data = {
            contactId: event.contactId,
            purpose: event.purpose,
            catalogueVersion: event.catalogueVersion,
            noticeVersion: event.noticeVersion,
            noticeContentSha256: event.noticeContentSha256,
            channel: CHANNEL[event.channel],
            evidence,
            tokenSha256: event.tokenSha256,
            requestedAt: timestampFromDate(new Date(event.at)),
            expiresAt: timestampFromDate(new Date(event.expiresAt)),
          };
          return protoEvent(ConsentConfirmationRequestedSchema, data, event.contactId, evidence.keyId);
        }
        case 'ConsentWithdrawn': {
          const data = {
            contactId: event.contactId,
            purpose: event.purpose,
            channel: event.channel === undefined ? WireChannel.UNSPECIFIED : CHANNEL[event.channel],
            withdrawnAt: timestampFromDate(new Date(event.at)),
          };
          return protoEvent(ConsentWithdrawnSchema, data, event.contactId);
        }
        case 'ObjectionRecorded': {
          const data = {
            contactId: event.contactId,
            purpose: event.purpose,
            catalogueVersion: event.catalogueVersion,
            channel: event.channel === undefined ? WireChannel.UNSPECIFIED : CHANNEL[event.channel],
            recordedAt: timestampFromDate(new Date(event.at)),
          };
          return protoEvent(ObjectionRecordedSchema, data, event.contactId);
        }
        default: {
          const _exhaustive: never = event;
          return _exhaustive;
        }
      }
    },

    decode: (envelope) => decodeWith(envelope, 'throw') as Promise<ConsentEvent>,
    decodeHistory: (envelope) => decodeWith(envelope, 'null'),
  };
}
