import { consentError } from '../../consents/consent.errors.js';
import type { NoticeEvent, NoticeState, PublishNotice } from '../notice.decider.js';
import { noticeContentSha256 } from '../notice.hash.js';
import { noticeVersion } from '../notice.streams.js';

/** Publishing a draft: from now on it is public and immutable, and its content hash is on record. */
export function decidePublishNotice(command: PublishNotice, state: NoticeState): NoticeEvent[] {
  const version = noticeVersion(command.lang, command.number);
  const draft = state.versions[command.number - 1];
  if (draft === undefined) throw consentError('NOTICE_VERSION_UNKNOWN', `no privacy notice ${version}`, { details: { version } });
  if (draft.status === 'published') {
    throw consentError('NOTICE_ALREADY_PUBLISHED', `privacy notice ${version} is published already, and cannot change`, { details: { version } });
  }
  return [
    {
      type: 'PrivacyNoticePublished',
      version,
      lang: command.lang,
      number: command.number,
      contentSha256: noticeContentSha256(draft.content),
      actorId: command.actorId,
      at: command.at,
    },
  ];
}
