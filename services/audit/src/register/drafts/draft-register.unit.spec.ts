import { activityDocument } from '../activities/activity.document.js';
import { REGISTER_PURPOSE } from '../register.events.js';
import { draftActivityId, draftRegister, PLATFORM_PURPOSES } from './draft-register.js';

describe('the draft register', () => {
  it('given the purpose catalogue of consent, then the platform purposes are exactly its codes with their default bases, plus the register', () => {
    // services/consent/src/purposes/purpose.catalogue.ts (PURPOSES: code, owner, default basis), copied on purpose: a
    // service never imports another, so a purpose added there and not here shows as a drift in this test.
    // prettier-ignore
    const consentCatalogue = [
      ['customer-service', 'business', 'contract'],
      ['sales', 'business', 'contract'],
      ['billing', 'business', 'contract'],
      ['marketing', 'business', 'consent'],
      ['analytics', 'business', 'legitimate-interests'],
      ['legal-claims', 'business', 'legitimate-interests'],
      ['access-control', 'platform', 'legal-obligation'],
      ['data-protection-oversight', 'platform', 'legal-obligation'],
      ['data-subject-rights', 'platform', 'legal-obligation'],
    ];
    expect(PLATFORM_PURPOSES.map((purpose) => [purpose.code, purpose.owner, purpose.legalBasis.replaceAll('_', '-')])).toEqual([
      ...consentCatalogue,
      [REGISTER_PURPOSE, 'platform', 'legal-obligation'],
    ]);
  });

  it('given the drafts, then every platform purpose is declared by exactly one, on its default basis, and each is a valid declaration', () => {
    const drafts = draftRegister();
    for (const purpose of PLATFORM_PURPOSES) {
      const declaring = drafts.filter((draft) => draft.document.purposes.includes(purpose.code));
      expect([purpose.code, declaring.length, declaring[0]?.document.legalBasis]).toEqual([purpose.code, 1, purpose.legalBasis]);
    }
    for (const { document } of drafts) {
      expect(activityDocument.parse(document)).toEqual(document);
      expect(document.description).toMatch(/Draft proposed by the platform/);
    }
    expect(drafts.find((draft) => draft.document.purposes.includes('marketing'))?.document).toMatchObject({
      legalBasis: 'consent',
      retentionPeriod: 'until-withdrawal',
      personalDataCategories: expect.arrayContaining(['contact data (e-mail, phone)']),
    });
  });

  it('given a purpose, then its draft id is a fixed RFC 9562 version-5 UUID: the same on every start, different per purpose', () => {
    const id = draftActivityId('marketing');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(draftActivityId('marketing')).toBe(id);
    expect(new Set(draftRegister().map((draft) => draft.id)).size).toBe(draftRegister().length);
  });
});
