import type { Caller } from '@crm/auth';
import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from '@crm/eventstore';
import { correlationId } from '@crm/http';
import { consentError } from '../consents/consent.errors.js';
import type { NoticeContent, NoticeVersionState } from './notice.decider.js';
import { isNoticeLanguage, NOTICE_LANGUAGES, type NoticeLanguage } from './notice.streams.js';

/**
 * Drafting and publishing the privacy notice is the controller's transparency duty (Art. 12–14), done by the DPO:
 * purpose `data-protection-oversight`, basis legal obligation.
 */
export function noticeMetadata({ auth, request }: Caller): EventMetadata {
  return {
    actor: { id: auth.sub, type: ActorType.USER },
    purpose: 'data-protection-oversight',
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: correlationId(request),
  };
}

/** A language as a request names it; anything else is NOTICE_LANGUAGE_UNSUPPORTED. */
export function noticeLanguage(value: unknown): NoticeLanguage {
  if (!isNoticeLanguage(value)) {
    throw consentError('NOTICE_LANGUAGE_UNSUPPORTED', `privacy notices are published in ${NOTICE_LANGUAGES.join(', ')}`, {
      details: { languages: [...NOTICE_LANGUAGES] },
    });
  }
  return value;
}

/** A version as the DPO's routes answer it (with who drafted and published it). */
export interface NoticeVersionView extends NoticeContent {
  number: number;
  status: 'draft' | 'published';
  draftedAt: string;
  draftedBy: string;
  publishedAt: string | null;
  publishedBy: string | null;
  contentSha256: string | null;
}

export function noticeVersionView(version: NoticeVersionState): NoticeVersionView {
  return {
    ...version.content,
    number: version.number,
    status: version.status,
    draftedAt: version.draftedAt,
    draftedBy: version.draftedBy,
    publishedAt: version.publishedAt ?? null,
    publishedBy: version.publishedBy ?? null,
    contentSha256: version.contentSha256 ?? null,
  };
}

/** A published version as anyone may read it: the notice, its hash and date, and no staff ids. */
export interface PublishedNoticeView extends NoticeContent {
  number: number;
  publishedAt: string;
  contentSha256: string;
}

export function publishedNoticeView(version: NoticeVersionState): PublishedNoticeView {
  return { ...version.content, number: version.number, publishedAt: version.publishedAt!, contentSha256: version.contentSha256! };
}
