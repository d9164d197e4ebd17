import { acceptsConsent, acceptsObjection, PURPOSES, purposeOf } from './purpose.catalogue.js';

describe('the purpose catalogue', () => {
  it('names every purpose once, its default basis first among its bases', () => {
    expect(new Set(PURPOSES.map((purpose) => purpose.code)).size).toBe(PURPOSES.length);
    for (const purpose of PURPOSES) expect(purpose.lawfulBases[0]).toBe(purpose.lawfulBasis);
  });

  it('holds the purposes contacts accepts, with the bases and objection rules contacts enforces, and the platform purposes', () => {
    // services/contacts/src/contact-schema/purpose-bases.ts (PURPOSE_BASES: the default basis first), copied on purpose:
    // a service never imports another, so a drift between what consent records and what contacts enforces shows here.
    // prettier-ignore
    const contacts = {
      'customer-service': { lawfulBases: ['contract'],                        objection: 'none' },
      sales:              { lawfulBases: ['contract'],                        objection: 'none' },
      marketing:          { lawfulBases: ['consent', 'legitimate-interests'], objection: 'absolute' },
      billing:            { lawfulBases: ['contract'],                        objection: 'none' },
      analytics:          { lawfulBases: ['legitimate-interests'],            objection: 'balancing' },
      'legal-claims':     { lawfulBases: ['legitimate-interests'],            objection: 'none' },
    };
    for (const [code, rules] of Object.entries(contacts)) {
      const purpose = purposeOf(code);
      expect([code, purpose?.lawfulBasis, purpose?.lawfulBases, purpose?.objection]).toEqual([code, rules.lawfulBases[0], rules.lawfulBases, rules.objection]);
    }
    expect(
      PURPOSES.filter((purpose) => purpose.owner === 'business')
        .map((purpose) => purpose.code)
        .sort(),
    ).toEqual(Object.keys(contacts).sort());
    expect(PURPOSES.filter((purpose) => purpose.owner === 'platform').map((purpose) => purpose.code)).toEqual([
      'access-control',
      'data-protection-oversight',
      'data-subject-rights',
    ]);
  });

  it('accepts consent only where consent is a basis, and objection only where legitimate interests are (but legal claims)', () => {
    expect(PURPOSES.filter(acceptsConsent).map((purpose) => purpose.code)).toEqual(['marketing']);
    expect(PURPOSES.filter(acceptsObjection).map((purpose) => [purpose.code, purpose.objection])).toEqual([
      ['marketing', 'absolute'],
      ['analytics', 'balancing'],
    ]);
    // Art. 21(1) ends with "or for the establishment, exercise or defence of legal claims": an objection does not stop
    // that processing, so recording one for it would promise what the law does not give.
    for (const purpose of PURPOSES)
      expect([purpose.code, acceptsObjection(purpose)]).toEqual([
        purpose.code,
        purpose.lawfulBases.includes('legitimate-interests') && purpose.code !== 'legal-claims',
      ]);
  });
});
