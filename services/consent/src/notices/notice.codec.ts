import {
  dateFromTimestamp,
  decodePayload,
  PrivacyNoticeDraftedSchema,
  PrivacyNoticePublishedSchema,
  timestampFromDate,
  type EventEnvelope,
} from '@crm/contracts';
import { protoEvent, type EventCodec } from '@crm/eventstore';
import type { NoticeRegister } from './notice-register.js';
import type { NoticeEvent } from './notice.decider.js';
import { canonicalJson, type Canonical } from './notice.hash.js';
import { isNoticeLanguage, type NoticeLanguage } from './notice.streams.js';

const iso = (timestamp: Parameters<typeof dateFromTimestamp>[0] | undefined): string =>
  timestamp === undefined ? new Date(0).toISOString() : dateFromTimestamp(timestamp).toISOString();

const language = (lang: string): NoticeLanguage => {
  if (!isNoticeLanguage(lang)) throw new Error(`a privacy-notice event in an unknown language: ${lang}`);
  return lang;
};

/**
 * Privacy-notice events on the wire (`crm.consent.v1`). A notice is the controller's public text, not anyone's
 * personal data: nothing is sealed, and the envelope has no subject. The actor is the envelope's.
 */
export const noticeCodec: EventCodec<NoticeEvent> = {
  async encode(event) {
    switch (event.type) {
      case 'PrivacyNoticeDrafted': {
        const { content } = event;
        return protoEvent(PrivacyNoticeDraftedSchema, {
          noticeVersion: content.version,
          lang: content.lang,
          number: event.number,
          catalogueVersion: content.catalogueVersion,
          purposes: content.purposes,
          controller: content.controller,
          dpoContact: content.dpoContact,
          retention: content.retention,
          recipients: content.recipients,
          processors: content.processors,
          rights: content.rights,
          draftedAt: timestampFromDate(new Date(event.at)),
          registerJson: content.register === undefined ? '' : canonicalJson(content.register as unknown as Canonical),
        });
      }
      case 'PrivacyNoticePublished':
        return protoEvent(PrivacyNoticePublishedSchema, {
          noticeVersion: event.version,
          lang: event.lang,
          number: event.number,
          contentSha256: event.contentSha256,
          publishedAt: timestampFromDate(new Date(event.at)),
        });
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },

  async decode(envelope: EventEnvelope) {
    const actorId = envelope.actor?.id ?? '';
    switch (envelope.payloadType) {
      case PrivacyNoticeDraftedSchema.typeName: {
        const m = decodePayload(envelope, PrivacyNoticeDraftedSchema);
        return {
          type: 'PrivacyNoticeDrafted',
          number: m.number,
          content: {
            version: m.noticeVersion,
            lang: language(m.lang),
            catalogueVersion: m.catalogueVersion,
            purposes: m.purposes.map((p) => ({ code: p.code, lawfulBases: [...p.lawfulBases], objection: p.objection, description: p.description })),
            controller: m.controller,
            dpoContact: m.dpoContact,
            retention: m.retention,
            recipients: m.recipients,
            processors: m.processors,
            rights: m.rights,
            ...(m.registerJson === '' ? {} : { register: JSON.parse(m.registerJson) as NoticeRegister }),
          },
          actorId,
          at: iso(m.draftedAt),
        };
      }
      case PrivacyNoticePublishedSchema.typeName: {
        const m = decodePayload(envelope, PrivacyNoticePublishedSchema);
        return {
          type: 'PrivacyNoticePublished',
          version: m.noticeVersion,
          lang: language(m.lang),
          number: m.number,
          contentSha256: m.contentSha256,
          actorId,
          at: iso(m.publishedAt),
        };
      }
      default:
        throw new Error(`not a privacy-notice event: ${envelope.payloadType}`);
    }
  },
};
