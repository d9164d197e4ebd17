import { acceptsConsent, acceptsObjection, PURPOSES, purposeOf } from './purpose.catalogue.js';

describe('the purpose catalogue', () => {
  it('names every purpose once, its default basis first among its bases', () => {
    expect(new Set(PURPOSES.map((purpose) => purpose.code)).size).toBe(PURPOSES.length);
    for (const purpose of PURPOSES) expect(purpose.lawfulBases[0]).toBe(purpose.lawfulBasis);
  });

  it('holds the purposes contacts accepts, with the basis contacts assumes for each, and the platform purposes', () => {
    // services/contacts/src/contact-schema (PURPOSES) and processing-context.ts (DEFAULT_LEGAL_BASIS), copied on purpose:
    // a service never imports another, so a drift shows here.
    const contacts = { 'customer-service': 'contract', sales: 'contract', marketing: 'consent', billing: 'contract', analytics: 'legitimate-interests' };
    for (const [code, basis] of Object.entries(contacts)) expect([code, purposeOf(code)?.lawfulBasis]).toEqual([code, basis]);
    expect(PURPOSES.filter((purpose) => purpose.owner === 'platform').map((purpose) => purpose.code)).toEqual([
      'access-control',
      'data-protection-oversight',
      'data-subject-rights',
    ]);
  });

  it('accepts consent only where consent is a basis, and objection only where legitimate interests are', () => {
    expect(PURPOSES.filter(acceptsConsent).map((purpose) => purpose.code)).toEqual(['marketing']);
    expect(PURPOSES.filter(acceptsObjection).map((purpose) => [purpose.code, purpose.objection])).toEqual([
      ['marketing', 'absolute'],
      ['analytics', 'balancing'],
    ]);
    for (const purpose of PURPOSES)
      expect([purpose.code, acceptsObjection(purpose)]).toEqual([purpose.code, purpose.lawfulBases.includes('legitimate-interests')]);
  });
});
