import { BUILT_IN_ROLES, permissionsOfRoles } from '@crm/auth';
import { PURPOSES } from '../contact-schema/index.js';
import { decidePurpose, decideRestrictedRead, decideSearch, ensureAllowed, restrictedPurposes } from './purpose-access.decision.js';

const analyst = permissionsOfRoles(['analyst']);
const sales = permissionsOfRoles(['sales']);

describe('which purposes a caller may process contacts for', () => {
  it('given an analyst, when naming customer-service, sales, marketing, billing or legal claims, then refused; analytics allowed', () => {
    const outcomes = Object.fromEntries(PURPOSES.map((purpose) => [purpose, decidePurpose(analyst, purpose)]));
    expect(outcomes).toEqual({
      'customer-service': 'PURPOSE_NOT_PERMITTED',
      sales: 'PURPOSE_NOT_PERMITTED',
      marketing: 'PURPOSE_NOT_PERMITTED',
      billing: 'PURPOSE_NOT_PERMITTED',
      analytics: 'allowed',
      'legal-claims': 'PURPOSE_NOT_PERMITTED',
    });
  });

  it('given contacts:read alone (a token or custom role without purposes), then no purpose is allowed', () => {
    for (const purpose of PURPOSES) expect(decidePurpose(['contacts:read', 'contacts:write'], purpose)).toBe('PURPOSE_NOT_PERMITTED');
  });

  it('given each built-in role, then it may use exactly the purposes of its catalogue entry', () => {
    const allowed = (role: keyof typeof BUILT_IN_ROLES) => PURPOSES.filter((purpose) => decidePurpose(permissionsOfRoles([role]), purpose) === 'allowed');
    expect(allowed('sales')).toEqual(['sales', 'marketing']);
    expect(allowed('support')).toEqual(['customer-service', 'billing']);
    expect(allowed('dpo')).toEqual(['customer-service', 'legal-claims']);
    expect(allowed('administrator')).toEqual([...PURPOSES]);
  });

  it('given a refusal, then it is a 403 with a stable code naming the purpose only', () => {
    expect(() => ensureAllowed(decidePurpose(analyst, 'customer-service'), 'customer-service')).toThrow(
      expect.objectContaining({ code: 'PURPOSE_NOT_PERMITTED', kind: 'forbidden', details: { purpose: 'customer-service' } }),
    );
    expect(() => ensureAllowed(decidePurpose(sales, 'sales'), 'sales')).not.toThrow();
  });
});

describe('searching without a criterion', () => {
  it('given a purpose about one person, when no e-mail, phone or name is given, then refused; with one, allowed', () => {
    for (const purpose of ['customer-service', 'sales', 'billing', 'legal-claims'] as const) {
      expect(decideSearch(purpose, 0)).toBe('CONTACT_SEARCH_CRITERIA_REQUIRED');
      expect(decideSearch(purpose, 1)).toBe('allowed');
    }
  });

  it('given a bulk purpose (marketing, analytics), when listing without criteria, then allowed', () => {
    expect(decideSearch('marketing', 0)).toBe('allowed');
    expect(decideSearch('analytics', 0)).toBe('allowed');
  });

  it('given a refusal, then it is a 400 with a stable code', () => {
    expect(() => ensureAllowed(decideSearch('sales', 0), 'sales')).toThrow(
      expect.objectContaining({ code: 'CONTACT_SEARCH_CRITERIA_REQUIRED', kind: 'invalid' }),
    );
  });
});

describe('reading a restricted contact (Art. 18(2))', () => {
  it('given a restricted contact, then only legal claims may read it; an unrestricted one any purpose', () => {
    expect(PURPOSES.filter((purpose) => decideRestrictedRead(purpose, true) === 'allowed')).toEqual(['legal-claims']);
    expect(PURPOSES.filter((purpose) => decideRestrictedRead(purpose, false) === 'allowed')).toEqual([...PURPOSES]);
    expect(restrictedPurposes()).toEqual(['legal-claims']);
  });

  it('given a refusal for marketing, then it is a 403 with a stable code that names the purposes still allowed', () => {
    expect(() => ensureAllowed(decideRestrictedRead('marketing', true), 'marketing')).toThrow(
      expect.objectContaining({
        code: 'CONTACT_PROCESSING_RESTRICTED',
        kind: 'forbidden',
        details: { purpose: 'marketing', allowedPurposes: ['legal-claims'] },
      }),
    );
  });
});
