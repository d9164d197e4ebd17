import { noticeTexts, useConsentApp } from '../../testing/consent.fixture.js';
import { NOTICE_CONTENT_SECURITY_POLICY } from './notice.html.js';

const consent = useConsentApp();

// Spec files run in parallel on one database, and each may publish notices: "current" is checked to be at least as
// new as what this test published, the exact content through the version's own route.
describe('privacy notices: public reading', () => {
  it('answers the current and older published versions to anyone, as JSON or printable HTML', async () => {
    const older = await consent.publishNotice('pl', 'ReadOld');
    const newer = await consent.publishNotice('pl', 'Read<b>New</b>');
    const number = (version: string) => Number(version.split('-')[1]);

    const current = await consent.anonymous('GET', '/v1/privacy-notices/current?lang=pl');
    expect(current.status).toBe(200);
    expect(current.body.lang).toBe('pl');
    expect(current.body.number).toBeGreaterThanOrEqual(number(newer.version));
    expect(current.body).not.toHaveProperty('draftedBy');
    expect(current.body).not.toHaveProperty('publishedBy');

    const exact = await consent.anonymous('GET', `/v1/privacy-notices/${newer.version}`);
    expect([exact.status, exact.body.version, exact.body.contentSha256, exact.body.rights]).toEqual([
      200,
      newer.version,
      newer.contentSha256,
      noticeTexts('pl', 'Read<b>New</b>').rights,
    ]);
    const old = await consent.anonymous('GET', `/v1/privacy-notices/${older.version}`);
    expect([old.status, old.body.contentSha256]).toEqual([200, older.contentSha256]);
    expect(old.headers.get('cache-control')).toContain('immutable');

    const html = await consent.anonymous('GET', `/v1/privacy-notices/${newer.version}`, { accept: 'text/html' });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(html.headers.get('content-security-policy')).toBe(NOTICE_CONTENT_SECURITY_POLICY);
    expect(html.text).toContain('<html lang="pl">');
    expect(html.text).toContain(newer.contentSha256);
    expect(html.text).toContain('Read&#60;b&#62;New&#60;/b&#62;');
    expect(html.text).not.toContain('<b>New');
    const currentHtml = await consent.anonymous('GET', '/v1/privacy-notices/current?lang=pl', { accept: 'text/html' });
    expect([currentHtml.status, currentHtml.headers.get('content-type')?.startsWith('text/html')]).toEqual([200, true]);
  });

  it('answers stable codes for an unsupported language, an unknown version and a draft', async () => {
    const draft = await consent.callWithMfa('POST', '/v1/privacy-notices', ['notices:publish'], 10, noticeTexts('en', 'Hidden'));
    expect(draft.status).toBe(201);
    const cases = [
      ['/v1/privacy-notices/current?lang=de', 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      ['/v1/privacy-notices/current', 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      ['/v1/privacy-notices/current?lang=pl&lang=en', 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      ['/v1/privacy-notices/pl-999999', 404, 'NOTICE_VERSION_UNKNOWN'],
      ['/v1/privacy-notices/de-1', 404, 'NOTICE_VERSION_UNKNOWN'],
      [`/v1/privacy-notices/${draft.body.version}`, 404, 'NOTICE_VERSION_UNKNOWN'],
    ] as const;
    for (const [path, status, code] of cases) {
      const response = await consent.anonymous('GET', path);
      expect({ path, status: response.status, code: response.body?.code }).toEqual({ path, status, code });
    }
    expect((await consent.anonymous('GET', `/v1/privacy-notices/${draft.body.version}`, { accept: 'text/html' })).text).not.toContain('Hidden');
  });
});
