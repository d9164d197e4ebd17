import { dpoId, draftedAt, givenNoticesOf, publishedAt, register, texts } from '../../testing/notice-history.fixture.js';
import { decideDraftNotice } from '../draft-notice/draft-notice.decision.js';
import type { NoticeEvent, PublishNotice } from '../notice.decider.js';
import { noticeContentSha256 } from '../notice.hash.js';
import { decidePublishNotice } from './publish-notice.decision.js';

const given = givenNoticesOf(decidePublishNotice);
const publish = (number: number): PublishNotice => ({ type: 'PublishNotice', lang: 'en', number, actorId: dpoId, at: publishedAt });
const drafted = (...history: NoticeEvent[]): NoticeEvent =>
  givenNoticesOf(decideDraftNotice)(...history).when({ type: 'DraftNotice', lang: 'en', texts, register, actorId: dpoId, at: draftedAt })[0]!;

describe('PublishNotice', () => {
  it('given a draft, when published, then PrivacyNoticePublished with the hash of its content, and it becomes current', () => {
    const draft = drafted();
    const history = given(draft);
    const events = history.when(publish(1));
    const content = history.state.versions[0]!.content;
    expect(events).toEqual([
      { type: 'PrivacyNoticePublished', version: 'en-1', lang: 'en', number: 1, contentSha256: noticeContentSha256(content), actorId: dpoId, at: publishedAt },
    ]);
    const after = given(draft, ...events).state;
    expect([after.current, after.versions[0]?.status, after.versions[0]?.publishedAt]).toEqual([1, 'published', publishedAt]);
  });

  it('given a published version and a newer draft, when the newer is published, then it is current and the older stays published', () => {
    const one = drafted();
    const published = given(one).when(publish(1));
    const two = drafted(one, ...published);
    const events = given(one, ...published, two).when(publish(2));
    const state = given(one, ...published, two, ...events).state;
    expect([state.current, state.versions.map((version) => version.status)]).toEqual([2, ['published', 'published']]);
  });

  it('given a published version, when published again, then NOTICE_ALREADY_PUBLISHED (conflict): a published notice never changes', () => {
    const one = drafted();
    const error = given(one, ...given(one).when(publish(1))).refuses(publish(1));
    expect([error.code, error.kind, error.details?.version]).toEqual(['NOTICE_ALREADY_PUBLISHED', 'conflict', 'en-1']);
  });

  it('given no such version, when published, then NOTICE_VERSION_UNKNOWN (not found)', () => {
    const error = given(drafted()).refuses(publish(2));
    expect([error.code, error.kind]).toEqual(['NOTICE_VERSION_UNKNOWN', 'not_found']);
  });
});
