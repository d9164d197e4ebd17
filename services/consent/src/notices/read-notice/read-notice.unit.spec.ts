import { fold } from '@crm/eventstore';
import { dpoId, draftedAt, publishedAt, register, texts } from '../../testing/notice-history.fixture.js';
import { decideDraftNotice } from '../draft-notice/draft-notice.decision.js';
import { noticeDecider, type NoticeEvent } from '../notice.decider.js';
import { publishedNoticeView } from '../notice.http.js';
import { parseNoticeVersion } from '../notice.streams.js';
import { decidePublishNotice } from '../publish-notice/publish-notice.decision.js';
import { currentNotice, publishedVersion } from './current-notice.js';
import { escapeHtml, NOTICE_CONTENT_SECURITY_POLICY, renderNoticeHtml } from './notice.html.js';
import { prefersHtml } from './read-notice.route.js';

const draft = (history: NoticeEvent[], override = {}): NoticeEvent[] =>
  decideDraftNotice(
    { type: 'DraftNotice', lang: 'pl', texts: { ...texts, ...override }, register, actorId: dpoId, at: draftedAt },
    fold(noticeDecider, history),
  );
const publish = (history: NoticeEvent[], number: number): NoticeEvent[] =>
  decidePublishNotice({ type: 'PublishNotice', lang: 'pl', number, actorId: dpoId, at: publishedAt }, fold(noticeDecider, history));

describe('reading privacy notices', () => {
  it('answers NOTICE_NOT_PUBLISHED_YET (not found) while a language has no published version, drafts included', () => {
    const drafted = draft([]);
    for (const state of [undefined, fold(noticeDecider, []), fold(noticeDecider, drafted)]) {
      let code: unknown;
      try {
        currentNotice(state, 'pl');
      } catch (error) {
        code = [(error as { code: string }).code, (error as { kind: string }).kind];
      }
      expect(code).toEqual(['NOTICE_NOT_PUBLISHED_YET', 'not_found']);
    }
  });

  it('the current version is the one published last; a newer draft does not replace it; a draft is not public by name', () => {
    const history = [...draft([])];
    history.push(...publish(history, 1));
    history.push(...draft(history));
    const state = fold(noticeDecider, history);
    expect(currentNotice(state, 'pl').number).toBe(1);
    expect(() => publishedVersion(state.versions[1])).toThrow(expect.objectContaining({ code: 'NOTICE_VERSION_UNKNOWN' }));
    history.push(...publish(history, 2));
    expect(currentNotice(fold(noticeDecider, history), 'pl').number).toBe(2);
  });

  it('names versions `<lang>-<number>` and nothing else', () => {
    expect(parseNoticeVersion('pl-12')).toEqual({ lang: 'pl', number: 12 });
    for (const bad of ['de-1', 'pl-0', 'pl-01', 'PL-1', 'pl-', 'pl-1x', '2026-11', '']) expect(parseNoticeVersion(bad)).toBeUndefined();
  });

  it('renders HTML with every text escaped, no script and a policy that allows only its own style', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> & \'`';
    const history = [...draft([], { controller: hostile, rights: 'line one\nline two' })];
    history.push(...publish(history, 1));
    const html = renderNoticeHtml(publishedNoticeView(fold(noticeDecider, history).versions[0]!));
    expect(html).not.toMatch(/<script|<img|<[^>]*\son\w+=/i);
    expect(html).toContain(escapeHtml(hostile));
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('<html lang="pl">');
    expect(html).toContain('Klauzula informacyjna');
    expect(html).toContain('zgoda (art. 6 ust. 1 lit. a)');
    expect(NOTICE_CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(NOTICE_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('renders per purpose what the register says (retention in words, recipients, processors), and says when a purpose is not stated yet', () => {
    const history = [...draft([], { retention: '', recipients: '' })];
    history.push(...publish(history, 1));
    const html = renderNoticeHtml(publishedNoticeView(fold(noticeDecider, history).versions[0]!));
    const marketingRow = html.split('<tr>').find((row) => row.includes('<code>marketing</code>'))!;
    expect(marketingRow).toContain('Okres przechowywania: do czasu wycofania zgody');
    expect(marketingRow).toContain('Odbiorcy: marketing staff');
    expect(marketingRow).toContain('Podmioty przetwarzające: Mail Co');
    expect(html.split('<tr>').find((row) => row.includes('<code>sales</code>'))).toContain('jeszcze nie określone w naszym rejestrze');
    expect(html).toContain('<li>Mail Co (kraj: DE)</li>');
    // An empty DPO text leaves its heading out rather than print an empty section.
    expect(html).not.toContain('Jak długo przechowujemy Twoje dane');
  });

  it('answers HTML only when the client prefers it', () => {
    expect([
      prefersHtml(undefined),
      prefersHtml('application/json'),
      prefersHtml('text/html,application/xhtml+xml'),
      prefersHtml('application/json, text/html'),
    ]).toEqual([false, false, true, false]);
  });
});
