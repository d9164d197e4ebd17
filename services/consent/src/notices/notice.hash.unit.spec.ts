import { createHash } from 'node:crypto';
import type { NoticeContent } from './notice.decider.js';
import { canonicalJson, noticeContentSha256 } from './notice.hash.js';

const content: NoticeContent = {
  version: 'pl-1',
  lang: 'pl',
  catalogueVersion: 1,
  purposes: [{ code: 'marketing', lawfulBases: ['consent', 'legitimate-interests'], objection: 'absolute', description: 'Direct marketing' }],
  controller: 'Przykład Sp. z o.o.',
  dpoContact: 'iod@example.com',
  retention: '6 lat',
  recipients: 'Kurierzy',
  processors: 'Hosting (EOG)',
  rights: 'Dostęp, sprostowanie, usunięcie',
};

// The serialisation and hash of `content`, written out by hand: a change to the canonical form (key order,
// escaping, fields covered) changes every published hash, so it must fail here first.
const CANONICAL =
  '{"catalogueVersion":1,"controller":"Przykład Sp. z o.o.","dpoContact":"iod@example.com","lang":"pl","processors":"Hosting (EOG)",' +
  '"purposes":[{"code":"marketing","description":"Direct marketing","lawfulBases":["consent","legitimate-interests"],"objection":"absolute"}],' +
  '"recipients":"Kurierzy","retention":"6 lat","rights":"Dostęp, sprostowanie, usunięcie","version":"pl-1"}';
const EXPECTED_SHA256 = '995ec49e68589933fb3941029478f41376c4e8a618bfe123632010a65f1da41c';

describe('the content hash of a privacy notice', () => {
  it('is the SHA-256 of the canonical serialisation: sorted keys, no whitespace, UTF-8', () => {
    expect(canonicalJson(content as never)).toBe(CANONICAL);
    expect(createHash('sha256').update(CANONICAL, 'utf8').digest('hex')).toBe(EXPECTED_SHA256);
    expect(noticeContentSha256(content)).toBe(EXPECTED_SHA256);
  });

  it('does not depend on the order the fields were written in', () => {
    const reordered = Object.fromEntries(Object.entries(content).reverse()) as unknown as NoticeContent;
    expect(noticeContentSha256(reordered)).toBe(EXPECTED_SHA256);
  });

  it('changes with any text, with the version and with the order of purposes', () => {
    const changed = [
      { ...content, rights: `${content.rights}.` },
      { ...content, version: 'pl-2' },
      { ...content, purposes: [...content.purposes, { code: 'sales', lawfulBases: ['contract'], objection: 'none', description: 'Selling' }] },
      { ...content, purposes: [{ ...content.purposes[0]!, lawfulBases: ['legitimate-interests', 'consent'] }] },
    ];
    for (const other of changed) expect(noticeContentSha256(other)).not.toBe(EXPECTED_SHA256);
  });

  it('given the register part, then it is covered: any change to it changes the hash; a version without it keeps its hash', () => {
    const purpose = { code: 'marketing', declared: true, retention: [{ period: 'until-withdrawal' }], recipients: ['staff'], processors: [], transfers: [] };
    const withRegister: NoticeContent = { ...content, register: { purposes: [purpose], processors: [] } };
    expect(noticeContentSha256(withRegister)).not.toBe(EXPECTED_SHA256);
    const changed: NoticeContent[] = [
      { ...content, register: { purposes: [{ ...purpose, retention: [{ period: 'P2Y' }] }], processors: [] } },
      { ...content, register: { purposes: [{ ...purpose, recipients: ['staff', 'couriers'] }], processors: [] } },
      { ...content, register: { purposes: [purpose], processors: [{ name: 'Mail Co', country: 'DE' }] } },
    ];
    for (const other of changed) expect(noticeContentSha256(other)).not.toBe(noticeContentSha256(withRegister));
    expect(noticeContentSha256({ ...content, register: undefined })).toBe(EXPECTED_SHA256);
  });

  it('escapes strings as JSON does (quotes, control characters), so no text can forge structure', () => {
    expect(canonicalJson({ b: 'a"b\n', a: ['x', 1] })).toBe('{"a":["x",1],"b":"a\\"b\\n"}');
    expect(() => canonicalJson({ a: 1.5 })).toThrow();
  });
});
