import type { Decider } from '@crm/eventstore';
import { decideDraftNotice } from './draft-notice/draft-notice.decision.js';
import type { NoticeRegister } from './notice-register.js';
import type { NoticeLanguage } from './notice.streams.js';
import { decidePublishNotice } from './publish-notice/publish-notice.decision.js';

/** A purpose as a notice states it: copied from the purpose catalogue when the version is drafted. */
export interface NoticePurpose {
  code: string;
  lawfulBases: string[];
  objection: string;
  description: string;
}

/**
 * What the DPO writes; everything else in a notice comes from the catalogue or the register, or is numbered by the
 * service. Retention, recipients and processors are stated per purpose from the register (`register`); the DPO's
 * texts of them are optional additions (empty when not given).
 */
export interface NoticeTexts {
  /** The controller: name, address, contact. */
  controller: string;
  /** How to reach the data protection officer. */
  dpoContact: string;
  /** How long data is kept, beside what the register says per purpose (may be empty). */
  retention: string;
  /** The recipients or categories of recipients, beside the register's (may be empty). */
  recipients: string;
  /** The processors acting for the controller, beside the register's (may be empty). */
  processors: string;
  /** The person's rights and how to use them. */
  rights: string;
}

/** Everything a version says: what its content hash covers (notice.hash.ts). */
export interface NoticeContent extends NoticeTexts {
  version: string;
  lang: NoticeLanguage;
  catalogueVersion: number;
  purposes: NoticePurpose[];
  /** What the register's approved activities said when the version was drafted; absent on versions drafted before. */
  register?: NoticeRegister;
}

export interface NoticeVersionState {
  number: number;
  status: 'draft' | 'published';
  content: NoticeContent;
  draftedAt: string;
  draftedBy: string;
  publishedAt?: string;
  publishedBy?: string;
  contentSha256?: string;
}

/** A language's notices: every version in order (index = number - 1), and the one published last. */
export interface NoticeState {
  versions: NoticeVersionState[];
  current?: number;
}

export interface DraftNotice {
  type: 'DraftNotice';
  lang: NoticeLanguage;
  texts: NoticeTexts;
  /** The register's part, read by the use case before deciding (the decision stays pure). */
  register: NoticeRegister;
  actorId: string;
  at: string;
}
export interface PublishNotice {
  type: 'PublishNotice';
  lang: NoticeLanguage;
  number: number;
  actorId: string;
  at: string;
}
export type NoticeCommand = DraftNotice | PublishNotice;

export interface PrivacyNoticeDrafted {
  type: 'PrivacyNoticeDrafted';
  content: NoticeContent;
  number: number;
  actorId: string;
  at: string;
}
export interface PrivacyNoticePublished {
  type: 'PrivacyNoticePublished';
  version: string;
  lang: NoticeLanguage;
  number: number;
  contentSha256: string;
  actorId: string;
  at: string;
}
export type NoticeEvent = PrivacyNoticeDrafted | PrivacyNoticePublished;

/** The privacy notices of one language: each command is decided in its use case's folder. */
export const noticeDecider: Decider<NoticeCommand, NoticeState, NoticeEvent> = {
  initialState: () => ({ versions: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'DraftNotice':
        return decideDraftNotice(command, state);
      case 'PublishNotice':
        return decidePublishNotice(command, state);
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PrivacyNoticeDrafted': {
        const drafted: NoticeVersionState = { number: event.number, status: 'draft', content: event.content, draftedAt: event.at, draftedBy: event.actorId };
        return { ...state, versions: [...state.versions, drafted] };
      }
      case 'PrivacyNoticePublished': {
        const versions = state.versions.map((version) =>
          version.number === event.number
            ? { ...version, status: 'published' as const, publishedAt: event.at, publishedBy: event.actorId, contentSha256: event.contentSha256 }
            : version,
        );
        return { ...state, versions, current: event.number };
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
