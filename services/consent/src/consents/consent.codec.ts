import {
  ConsentChannel as WireChannel,
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
import type { ConsentChannel, ConsentEvent, ConsentGiven, Evidence } from './consent.decider.js';

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

/** A consent event as read back for its history: the evidence is `null` once the contact's key is shredded. */
export type ConsentHistoryEvent = Exclude<ConsentEvent, ConsentGiven> | (Omit<ConsentGiven, 'evidence'> & { evidence: Evidence | null });

/**
 * Consent events on the wire (`crm.consent.v1`). Purposes, notice versions, channels and times stay readable (the
 * audit trail and the register count them); the evidence is sealed under the contact's key. The actor is the
 * envelope's, so it is not repeated in the payload.
 */
export function consentCodec(cipher: FieldCipher): EventCodec<ConsentEvent> & { decodeHistory(envelope: EventEnvelope): Promise<ConsentHistoryEvent> } {
  const open = async (envelope: EventEnvelope, purpose: string, sealed: Parameters<typeof sealedFieldFromProto>[0] | undefined): Promise<Evidence> => {
    if (sealed === undefined) throw new Error('a ConsentGiven without evidence');
    return JSON.parse(await cipher.openText(envelope.subjectId, evidencePath(purpose), sealedFieldFromProto(sealed))) as Evidence;
  };

  const decodeWith = async (envelope: EventEnvelope, shredded: 'throw' | 'null'): Promise<ConsentHistoryEvent> => {
    const actorId = envelope.actor?.id ?? '';
    switch (envelope.payloadType) {
      case ConsentGivenSchema.typeName: {
        const message = decodePayload(envelope, ConsentGivenSchema);
        let evidence: Evidence | null;
        try {
          evidence = await open(envelope, message.purpose, message.evidence);
        } catch (error) {
          if (shredded === 'throw' || !isCryptoError(error, 'KEY_SHREDDED')) throw error;
          evidence = null;
        }
        return {
          type: 'ConsentGiven',
          contactId: message.contactId,
          purpose: message.purpose,
          catalogueVersion: message.catalogueVersion,
          noticeVersion: message.noticeVersion,
          noticeContentSha256: message.noticeContentSha256,
          channel: channelOf(message.channel) ?? 'web-form',
          evidence,
          actorId,
          at: iso(message.givenAt),
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
          };
          return protoEvent(ConsentGivenSchema, data, event.contactId, evidence.keyId);
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
