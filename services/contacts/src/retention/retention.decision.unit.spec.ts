import {
  addPeriod,
  decideRetention,
  draftPolicies,
  withActivityPeriod,
  type RegisterActivity,
  parsePeriod,
  policyDueAt,
  validateHoldReference,
  validatePolicyDocument,
  type RetentionFacts,
  type RetentionPolicy,
  type RetentionPolicyDocument,
} from './retention.decision.js';

const at = (iso: string) => new Date(iso);
const inactive24m: RetentionPolicyDocument = {
  name: 'Customers gone quiet',
  purpose: 'customer-service',
  category: 'identity',
  kind: 'inactivity',
  period: 'P24M',
  action: 'crypto-shred',
};
const marketing30d: RetentionPolicyDocument = {
  name: 'Marketing after withdrawal',
  purpose: 'marketing',
  category: 'contact',
  kind: 'consent-withdrawn',
  period: 'P30D',
  action: 'crypto-shred',
};
const accounting5y: RetentionPolicyDocument = {
  name: 'Purchases after the accounting period',
  purpose: 'billing',
  category: 'financial',
  kind: 'accounting-period',
  period: 'P5Y',
  action: 'anonymise',
};
const policy = (policyId: string, document: RetentionPolicyDocument, version = 1): RetentionPolicy => ({ policyId, version, document });
const facts = (overrides: Partial<RetentionFacts> = {}): RetentionFacts => ({
  contactId: '0190a000-0000-7000-8000-000000000001',
  lastActivityAt: at('2024-01-15T10:00:00Z'),
  consentWithdrawnAt: new Map(),
  legalHold: false,
  ...overrides,
});

describe('the retention decision', () => {
  it('given a contact inactive for 24 months to the second, when the sweep runs, then the inactivity policy applies; a second earlier it does not', () => {
    const policies = [policy('p-1', inactive24m)];
    expect(decideRetention(policies, facts(), at('2026-01-15T10:00:00Z'))).toEqual({ apply: true, policyId: 'p-1', version: 1, action: 'crypto-shred' });
    expect(decideRetention(policies, facts(), at('2026-01-15T09:59:59Z'))).toEqual({ apply: false, reason: 'not-due' });
  });

  it('given a contact on legal hold, then no policy applies however far past due', () => {
    expect(decideRetention([policy('p-1', inactive24m)], facts({ legalHold: true }), at('2040-01-01T00:00:00Z'))).toEqual({
      apply: false,
      reason: 'legal-hold',
    });
  });

  it('given marketing consent withdrawn, then the policy is due N days after the withdrawal; a contact that never withdrew is not matched', () => {
    const withdrawn = facts({ consentWithdrawnAt: new Map([['marketing', at('2026-03-01T00:00:00Z')]]) });
    expect(policyDueAt(marketing30d, withdrawn)).toEqual(at('2026-03-31T00:00:00Z'));
    expect(policyDueAt(marketing30d, facts())).toBeUndefined();
    expect(policyDueAt(marketing30d, facts({ consentWithdrawnAt: new Map([['sales', at('2026-03-01T00:00:00Z')]]) }))).toBeUndefined();
  });

  it('given purchases, then the accounting policy counts from the end of the last purchase year; no purchases or later activity: not matched', () => {
    const bought = facts({ lastPurchaseAt: at('2020-06-10T00:00:00Z'), lastActivityAt: at('2020-06-10T00:00:00Z') });
    expect(policyDueAt(accounting5y, bought)).toEqual(at('2026-01-01T00:00:00Z'));
    expect(policyDueAt(accounting5y, facts())).toBeUndefined();
    expect(policyDueAt(accounting5y, { ...bought, lastActivityAt: at('2021-01-01T00:00:00Z') })).toBeUndefined();
  });

  it('given two due policies, then a crypto-shred wins over an anonymisation, and among equals the lower id, with its version', () => {
    const bought = facts({ lastPurchaseAt: at('2010-01-01T00:00:00Z'), lastActivityAt: at('2010-01-01T00:00:00Z') });
    const now = at('2030-01-01T00:00:00Z');
    expect(decideRetention([policy('a', accounting5y), policy('b', inactive24m, 3)], bought, now)).toMatchObject({
      policyId: 'b',
      version: 3,
      action: 'crypto-shred',
    });
    expect(decideRetention([policy('b', inactive24m), policy('a', inactive24m, 2)], bought, now)).toMatchObject({ policyId: 'a', version: 2 });
  });

  it('given calendar periods, then months end on the last day of a shorter month and days are added after', () => {
    expect(addPeriod(at('2026-01-31T12:00:00Z'), parsePeriod('P1M'))).toEqual(at('2026-02-28T12:00:00Z'));
    expect(addPeriod(at('2024-02-29T00:00:00Z'), parsePeriod('P1Y'))).toEqual(at('2025-02-28T00:00:00Z'));
    expect(addPeriod(at('2026-01-01T00:00:00Z'), parsePeriod('P1Y6M10D'))).toEqual(at('2027-07-11T00:00:00Z'));
  });

  it('given a negative, zero, missing or non-calendar period, then RETENTION_PERIOD_INVALID', () => {
    for (const period of ['-P1D', 'P0D', 'P', undefined, '', 'PT5H', 'P2W', 24, 'P1.5Y']) {
      expect(() => validatePolicyDocument({ ...inactive24m, period })).toThrow(expect.objectContaining({ code: 'RETENTION_PERIOD_INVALID' }));
    }
  });

  it('given an unknown purpose or category, then their own codes; an unknown kind, action or field, RETENTION_POLICY_INVALID', () => {
    expect(() => validatePolicyDocument({ ...inactive24m, purpose: 'profiling' })).toThrow(expect.objectContaining({ code: 'RETENTION_PURPOSE_UNKNOWN' }));
    expect(() => validatePolicyDocument({ ...inactive24m, purpose: undefined })).toThrow(expect.objectContaining({ code: 'RETENTION_PURPOSE_UNKNOWN' }));
    expect(() => validatePolicyDocument({ ...inactive24m, category: 'biometric' })).toThrow(expect.objectContaining({ code: 'RETENTION_CATEGORY_UNKNOWN' }));
    expect(() => validatePolicyDocument({ ...inactive24m, kind: 'forever' })).toThrow(expect.objectContaining({ code: 'RETENTION_POLICY_INVALID' }));
    expect(() => validatePolicyDocument({ ...inactive24m, action: 'delete' })).toThrow(expect.objectContaining({ code: 'RETENTION_POLICY_INVALID' }));
    expect(() => validatePolicyDocument({ ...inactive24m, email: 'x@example.com' })).toThrow(expect.objectContaining({ code: 'RETENTION_POLICY_INVALID' }));
    expect(() => validatePolicyDocument([])).toThrow(expect.objectContaining({ code: 'RETENTION_POLICY_INVALID' }));
    // Found by the contract fuzzing (issue 16): a name Postgres cannot store was a 500 from the jsonb write.
    for (const name of ['Books\u0000', 'Books \ud800', '\udc00 Books']) {
      expect(() => validatePolicyDocument({ ...inactive24m, name })).toThrow(expect.objectContaining({ code: 'RETENTION_POLICY_INVALID' }));
    }
  });

  it('given a valid document, then it is kept as declared (name trimmed)', () => {
    expect(validatePolicyDocument({ ...accounting5y, name: '  Books  ', activityId: '0190a000-0000-7000-8000-00000000000a' })).toEqual({
      ...accounting5y,
      name: 'Books',
      activityId: '0190a000-0000-7000-8000-00000000000a',
    });
  });

  it('given a legal hold reference, then only a case reference is accepted', () => {
    expect(validateHoldReference('CASE-2026/17')).toBe('CASE-2026/17');
    expect(() => validateHoldReference('Ann Lee sued us')).toThrow(expect.objectContaining({ code: 'LEGAL_HOLD_INVALID' }));
    expect(() => validateHoldReference(undefined)).toThrow(expect.objectContaining({ code: 'LEGAL_HOLD_INVALID' }));
  });

  describe('drafted from the register', () => {
    const activity = (overrides: Partial<RegisterActivity>): RegisterActivity => ({
      activityId: '0190a000-0000-7000-8000-0000000000a1',
      version: 2,
      status: 'approved',
      name: 'Serving customers',
      purposes: ['customer-service'],
      retentionPeriod: 'P6Y',
      ...overrides,
    });

    it('given approved activities, then one draft per catalogue purpose: until-withdrawal → after withdrawal, billing → accounting period, else inactivity', () => {
      const drafts = draftPolicies(
        [
          activity({}),
          activity({ activityId: 'a2', name: 'Marketing', purposes: ['marketing'], retentionPeriod: 'until-withdrawal' }),
          activity({ activityId: 'a3', name: 'Accounting', purposes: ['billing', 'access-control'], retentionPeriod: 'P5Y' }),
          activity({ activityId: 'a4', status: 'draft', purposes: ['sales'] }),
        ],
        [],
      );
      expect(drafts).toEqual([
        expect.objectContaining({
          activityId: '0190a000-0000-7000-8000-0000000000a1',
          activityVersion: 2,
          purpose: 'customer-service',
          kind: 'inactivity',
          period: 'P6Y',
          action: 'crypto-shred',
        }),
        expect.objectContaining({ activityId: 'a2', purpose: 'marketing', kind: 'consent-withdrawn', period: 'P30D', category: 'contact' }),
        expect.objectContaining({ activityId: 'a3', purpose: 'billing', kind: 'accounting-period', period: 'P5Y', action: 'anonymise', category: 'financial' }),
      ]);
    });

    it('given a policy implementing an activity purpose, then it is no longer drafted', () => {
      const implemented = policy('p', { ...inactive24m, activityId: '0190a000-0000-7000-8000-0000000000a1' });
      expect(draftPolicies([activity({ purposes: ['customer-service', 'sales'] })], [implemented]).map((draft) => draft.purpose)).toEqual(['sales']);
    });

    it('given a policy naming an activity, then it takes its period when it gives none; an unknown, draft or other-purpose activity is refused', () => {
      const input = { ...inactive24m, period: undefined, activityId: '0190a000-0000-7000-8000-0000000000a1' };
      expect(withActivityPeriod(input, activity({}))).toMatchObject({ period: 'P6Y' });
      expect(withActivityPeriod({ ...input, period: 'P1Y' }, activity({}))).toMatchObject({ period: 'P1Y' });
      expect(() => withActivityPeriod(input, undefined)).toThrow(expect.objectContaining({ code: 'RETENTION_ACTIVITY_UNKNOWN' }));
      expect(() => withActivityPeriod(input, activity({ status: 'draft' }))).toThrow(expect.objectContaining({ code: 'RETENTION_ACTIVITY_UNKNOWN' }));
      expect(() => withActivityPeriod(input, activity({ purposes: ['sales'] }))).toThrow(expect.objectContaining({ code: 'RETENTION_ACTIVITY_UNKNOWN' }));
      expect(() => validatePolicyDocument(withActivityPeriod(input, activity({ retentionPeriod: 'until-withdrawal' })))).toThrow(
        expect.objectContaining({ code: 'RETENTION_PERIOD_INVALID' }),
      );
    });
  });
});
