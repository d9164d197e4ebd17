import { PURPOSE_CATALOGUE_VERSION, PURPOSES } from '../../purposes/purpose.catalogue.js';
import { dpoId, draftedAt, givenNoticesOf, register, texts } from '../../testing/notice-history.fixture.js';
import type { DraftNotice, PrivacyNoticeDrafted } from '../notice.decider.js';
import { decideDraftNotice } from './draft-notice.decision.js';

const given = givenNoticesOf(decideDraftNotice);
const draft = (lang: 'pl' | 'en' = 'pl', override: Partial<DraftNotice['texts']> = {}): DraftNotice => ({
  type: 'DraftNotice',
  lang,
  texts: { ...texts, ...override },
  register,
  actorId: dpoId,
  at: draftedAt,
});

describe('DraftNotice', () => {
  it('given no notice in the language, when drafted, then version <lang>-1 with the texts and every purpose and basis of the catalogue', () => {
    const [event] = given().when(draft('pl')) as [PrivacyNoticeDrafted];
    expect(event).toMatchObject({ type: 'PrivacyNoticeDrafted', number: 1, actorId: dpoId, at: draftedAt });
    expect(event.content).toMatchObject({ version: 'pl-1', lang: 'pl', catalogueVersion: PURPOSE_CATALOGUE_VERSION, ...texts });
    expect(event.content.purposes.map((purpose) => [purpose.code, purpose.lawfulBases])).toEqual(
      PURPOSES.map((purpose) => [purpose.code, [...purpose.lawfulBases]]),
    );
    expect(event.content.purposes.find((purpose) => purpose.code === 'marketing')).toEqual({
      code: 'marketing',
      lawfulBases: ['consent', 'legitimate-interests'],
      objection: 'absolute',
      description: expect.stringContaining('Direct marketing'),
    });
  });

  it('given the register, when drafted, then the version states per purpose what its approved activities say, and drafts are not taken for declarations', () => {
    const [event] = given().when(draft('en')) as [PrivacyNoticeDrafted];
    expect(event.content.register).toBe(register);
    expect(event.content.register?.purposes.find((purpose) => purpose.code === 'marketing')).toEqual({
      code: 'marketing',
      declared: true,
      retention: [{ period: 'until-withdrawal' }],
      recipients: ['marketing staff'],
      processors: ['Mail Co'],
      transfers: [],
    });
    expect(event.content.register?.purposes.find((purpose) => purpose.code === 'sales')).toMatchObject({ declared: false, retention: [], recipients: [] });
    expect(event.content.register?.processors).toEqual([{ name: 'Mail Co', country: 'DE' }]);
  });

  it('given two versions drafted, when drafted again, then it is number 3 (numbers have no gaps)', () => {
    const [one] = given().when(draft());
    const [two] = given(one!).when(draft());
    const [three] = given(one!, two!).when(draft()) as [PrivacyNoticeDrafted];
    expect([three.number, three.content.version]).toEqual([3, 'pl-3']);
  });

  it('normalises the texts to Unicode NFC, so the hash does not depend on how they were typed', () => {
    const decomposed = 'Administrator: Spo\u0301łka'; // "ó" as o + combining acute
    const [event] = given().when(draft('pl', { controller: decomposed })) as [PrivacyNoticeDrafted];
    expect(event.content.controller).toBe('Administrator: Spółka');
  });
});
