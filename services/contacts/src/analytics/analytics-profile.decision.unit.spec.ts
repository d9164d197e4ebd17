import type { ContactData } from '../contact-schema/index.js';
import { ageBandOf, decideAnalyticsRecord, postalPrefixOf, pseudonymOf, type AnalyticsBasisState, type SubjectSnapshot } from './analytics-profile.decision.js';

const KEY = Buffer.alloc(32, 7);
const TODAY = new Date('2026-12-02T00:00:00Z');
const CONTACT = '0193a1b2-0000-7000-8000-000000000001';
const BASIS_HOLDS: AnalyticsBasisState = { consentInForce: false, objected: false, consentWithdrawn: false };

const data: ContactData = {
  name: { given: 'Mia', family: 'Keller' },
  emails: ['mia@example.com'],
  phones: ['+48123456789'],
  birthDate: '1990-06-15',
  addresses: [
    { street: 'Long St 1', postalCode: '00-950', city: 'Warsaw', country: 'PL' },
    { street: 'Rue 2', postalCode: '75001', city: 'Paris', country: 'FR' },
    { country: 'PL' },
  ],
  preferences: { channels: ['email'], categories: ['shoes', 'books', 'shoes'] },
  notes: ['called on Monday'],
};
const present = (basis: AnalyticsBasisState = BASIS_HOLDS): SubjectSnapshot => ({
  kind: 'present',
  data,
  restricted: false,
  purchases: [
    { currency: 'PLN', count: 2, totalCents: 5_000n },
    { currency: 'EUR', count: 1, totalCents: -300n },
  ],
  basis,
});

describe('analytics: the keyed pseudonym', () => {
  it('is stable per contact under one key, differs per contact and per key, and never contains the id', () => {
    const subject = pseudonymOf(KEY, CONTACT);
    expect(subject).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonymOf(KEY, CONTACT)).toBe(subject);
    expect(pseudonymOf(KEY, '0193a1b2-0000-7000-8000-000000000002')).not.toBe(subject);
    expect(pseudonymOf(Buffer.alloc(32, 8), CONTACT)).not.toBe(subject);
    expect(subject).not.toContain(CONTACT.replaceAll('-', ''));
  });
});

describe('analytics: generalisation', () => {
  it('turns a birth date into a ten-year age band on the given day', () => {
    expect(ageBandOf('1990-06-15', TODAY)).toBe('30-39');
    expect(ageBandOf('1996-12-03', TODAY)).toBe('20-29'); // 30 tomorrow
    expect(ageBandOf('1996-12-02', TODAY)).toBe('30-39'); // 30 today
    expect(ageBandOf('1930-01-01', TODAY)).toBe('90+');
    expect(ageBandOf('2030-01-01', TODAY)).toBe('');
    expect(ageBandOf('not a date', TODAY)).toBe('');
  });

  it('turns a postal code into its two-character prefix', () => {
    expect(postalPrefixOf('00-950')).toBe('00');
    expect(postalPrefixOf('sw1a 1aa')).toBe('SW');
  });
});

describe('analytics: the record a subject gets', () => {
  it('given a subject whose basis holds, then only the analytics fields of the catalogue, generalised, under the pseudonym', () => {
    const record = decideAnalyticsRecord('p1', present(), TODAY);
    expect(record).toEqual({
      kind: 'profile',
      profile: {
        subject: 'p1',
        countries: ['FR', 'PL'],
        preferenceCategories: ['books', 'shoes'],
        // The catalogue does not list birth dates or postal codes for analytics: not even generalised.
        ageBand: '',
        postalPrefixes: [],
        purchases: [
          { currency: 'EUR', count: 1, totalCents: -300n },
          { currency: 'PLN', count: 2, totalCents: 5_000n },
        ],
      },
    });
    const text = JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    for (const secret of ['Mia', 'Keller', 'mia@example.com', '+48123456789', '1990', '00-950', 'Warsaw', 'Long St', 'Monday', 'email"']) {
      expect(text).not.toContain(secret);
    }
  });

  it('given an objection to analytics, then a tombstone', () => {
    expect(decideAnalyticsRecord('p1', present({ ...BASIS_HOLDS, objected: true }), TODAY)).toEqual({ kind: 'tombstone', subject: 'p1' });
  });

  it('given a withdrawn consent for analytics, then a tombstone', () => {
    expect(decideAnalyticsRecord('p1', present({ ...BASIS_HOLDS, consentWithdrawn: true }), TODAY)).toEqual({ kind: 'tombstone', subject: 'p1' });
  });

  it('given a restricted subject, then a tombstone', () => {
    expect(decideAnalyticsRecord('p1', { ...(present() as Extract<SubjectSnapshot, { kind: 'present' }>), restricted: true }, TODAY)).toEqual({
      kind: 'tombstone',
      subject: 'p1',
    });
  });

  it('given an erased or shredded subject, then a tombstone', () => {
    expect(decideAnalyticsRecord('p1', { kind: 'gone' }, TODAY)).toEqual({ kind: 'tombstone', subject: 'p1' });
  });
});
