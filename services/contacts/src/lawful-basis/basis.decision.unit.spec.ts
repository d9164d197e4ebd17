import { PURPOSES, type LegalBasisCode, type Purpose } from '../contact-schema/index.js';
import { basisRequirement, decideBasis, NO_CONSENT_STATE, readBasis, type ConsentState } from './basis.decision.js';

const given: ConsentState = { consentInForce: true, objected: false };
const objected: ConsentState = { consentInForce: false, objected: true };
const givenAndObjected: ConsentState = { consentInForce: true, objected: true };

describe('the lawful-basis decision', () => {
  it('given marketing on consent, when consent is in force, then it is allowed', () => {
    expect(decideBasis('marketing', 'consent', given)).toBe('allowed');
  });

  it('given marketing on consent, when consent was never given or is withdrawn, then CONSENT_REQUIRED', () => {
    expect(decideBasis('marketing', 'consent', NO_CONSENT_STATE)).toBe('CONSENT_REQUIRED');
    expect(decideBasis('marketing', 'consent', { consentInForce: false, objected: false })).toBe('CONSENT_REQUIRED');
  });

  it('given marketing on legitimate interests (soft opt-in), then no consent is needed, and an objection stops it', () => {
    expect(decideBasis('marketing', 'legitimate-interests', NO_CONSENT_STATE)).toBe('allowed');
    expect(decideBasis('marketing', 'legitimate-interests', objected)).toBe('OBJECTION_RECORDED');
  });

  it('given an objection to direct marketing, then it is absolute: even consent in force does not carry it, and it outranks missing consent', () => {
    expect(decideBasis('marketing', 'consent', givenAndObjected)).toBe('OBJECTION_RECORDED');
    expect(decideBasis('marketing', 'consent', objected)).toBe('OBJECTION_RECORDED');
  });

  it('given analytics on legitimate interests, then an objection stops it (no compelling grounds are recorded)', () => {
    expect(decideBasis('analytics', 'legitimate-interests', NO_CONSENT_STATE)).toBe('allowed');
    expect(decideBasis('analytics', 'legitimate-interests', objected)).toBe('OBJECTION_RECORDED');
  });

  it('given a purpose on contract, then neither consent nor an objection changes anything', () => {
    for (const purpose of ['customer-service', 'sales', 'billing'] as const)
      for (const state of [NO_CONSENT_STATE, given, objected, givenAndObjected])
        expect([purpose, decideBasis(purpose, 'contract', state)]).toEqual([purpose, 'allowed']);
  });

  it('reads on the purpose default basis unless they name one of its bases, and refuses any other', () => {
    expect(readBasis('marketing', undefined)).toBe('consent');
    expect(readBasis('marketing', 'legitimate-interests')).toBe('legitimate-interests');
    expect(readBasis('analytics', undefined)).toBe('legitimate-interests');
    expect(readBasis('sales', undefined)).toBe('contract');
    expect(() => readBasis('marketing', 'contract')).toThrow(expect.objectContaining({ code: 'LEGAL_BASIS_NOT_APPLICABLE', kind: 'invalid' }));
    expect(() => readBasis('analytics', 'consent')).toThrow(expect.objectContaining({ code: 'LEGAL_BASIS_NOT_APPLICABLE' }));
  });

  it('states as a requirement exactly what the decision checks (the SQL filter of search and export is built from it)', () => {
    const states = [NO_CONSENT_STATE, given, objected, givenAndObjected];
    const bases: LegalBasisCode[] = ['consent', 'contract', 'legitimate-interests'];
    for (const purpose of PURPOSES as readonly Purpose[])
      for (const basis of bases)
        for (const state of states) {
          const requirement = basisRequirement(purpose, basis);
          const meets = (!requirement.consent || state.consentInForce) && (!requirement.noObjection || !state.objected);
          expect([purpose, basis, state, meets]).toEqual([purpose, basis, state, decideBasis(purpose, basis, state) === 'allowed']);
        }
  });
});
