import { consentError } from '../../consents/consent.errors.js';
import type { NoticeState, NoticeVersionState } from '../notice.decider.js';
import type { NoticeLanguage } from '../notice.streams.js';

/** The version in force in a language: the one published last. None yet is NOTICE_NOT_PUBLISHED_YET. */
export function currentNotice(state: NoticeState | undefined, lang: NoticeLanguage): NoticeVersionState {
  const current = state?.current === undefined ? undefined : state.versions[state.current - 1];
  if (current?.status !== 'published') throw consentError('NOTICE_NOT_PUBLISHED_YET', `no privacy notice is published in ${lang} yet`, { details: { lang } });
  return current;
}

/** A version as the public may see it: published, or NOTICE_VERSION_UNKNOWN (a draft answers like no version at all). */
export function publishedVersion(version: NoticeVersionState | undefined): NoticeVersionState {
  if (version?.status !== 'published') throw consentError('NOTICE_VERSION_UNKNOWN', 'no published privacy notice of that name');
  return version;
}
