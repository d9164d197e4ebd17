import { consentApi } from '@crm/api-contract';

/**
 * The purposes the platform processes personal data for, each with its lawful basis (GDPR Art. 6(1)), versioned: a
 * change to this table is a new `PURPOSE_CATALOGUE_VERSION`, and every consent and objection records the version it
 * was decided against. The customer-facing codes are exactly the purposes contacts accepts
 * (`services/contacts/src/contact-schema/`), with the basis contacts assumes when a request names none; the
 * platform's own purposes are the ones its events already carry (`access-control`, `data-protection-oversight`,
 * `data-subject-rights`).
 *
 * `objection` says what Art. 21 allows: `absolute` for direct marketing (Art. 21(2)–(3): marketing to existing
 * customers may rest on legitimate interests, and an objection ends it without any balancing), `balancing` where
 * the basis is legitimate interests (Art. 21(1): processing stops unless compelling grounds are shown), `none` where
 * the basis is contract or legal obligation (no right to object).
 */

/** The bases of Art. 6(1), as the API contract states them (the catalogue route answers them). */
export const LAWFUL_BASES = consentApi.LAWFUL_BASES;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export type ObjectionRule = 'absolute' | 'balancing' | 'none';

export interface PurposeSpec {
  readonly code: string;
  /** Whose purpose: the business's processing of its customers, or the platform's own duties. */
  readonly owner: 'business' | 'platform';
  /** The basis processing for this purpose rests on by default. */
  readonly lawfulBasis: LawfulBasis;
  /** Every basis processing for this purpose may rest on (the default first). */
  readonly lawfulBases: readonly LawfulBasis[];
  readonly objection: ObjectionRule;
  readonly description: string;
}

/** 2: `legal-claims` added (the purpose that may still read a restricted contact); nothing of version 1 changed. */
export const PURPOSE_CATALOGUE_VERSION = 2;

// prettier-ignore
export const PURPOSES: readonly PurposeSpec[] = [
  p('customer-service',          'business', ['contract'],                          'none',      'Serving a customer: answering requests, support, deliveries'),
  p('sales',                     'business', ['contract'],                          'none',      'Selling to a customer and preparing a contract at their request'),
  p('billing',                   'business', ['contract'],                          'none',      'Invoicing and payments'),
  p('marketing',                 'business', ['consent', 'legitimate-interests'],   'absolute',  'Direct marketing: on consent, or to existing customers on legitimate interests (soft opt-in)'),
  p('analytics',                 'business', ['legitimate-interests'],              'balancing', 'Aggregate analysis of purchases and preferences to improve the offer'),
  p('legal-claims',              'business', ['legitimate-interests'],              'none',      'Establishing, exercising or defending legal claims; the one purpose a restricted contact may still be read for (Art. 18(2); Art. 21(1) lets it go on after an objection)'),
  p('access-control',            'platform', ['legal-obligation'],                  'none',      'Staff sign-in, permissions and the record of refused requests (Art. 32 security)'),
  p('data-protection-oversight', 'platform', ['legal-obligation'],                  'none',      'The audit trail, the DPO\'s queries and the register of processing activities (Art. 5(2), 30)'),
  p('data-subject-rights',       'platform', ['legal-obligation'],                  'none',      'Handling data subjects\' requests and consents: access, restriction, erasure, withdrawal, objection (Art. 7, 12–22)'),
];

function p(
  code: string,
  owner: PurposeSpec['owner'],
  lawfulBases: readonly [LawfulBasis, ...LawfulBasis[]],
  objection: ObjectionRule,
  description: string,
): PurposeSpec {
  return { code, owner, lawfulBasis: lawfulBases[0], lawfulBases, objection, description };
}

const BY_CODE = new Map(PURPOSES.map((purpose) => [purpose.code, purpose]));

/** The purpose of the current catalogue with this code, if there is one. */
export function purposeOf(code: string): PurposeSpec | undefined {
  return BY_CODE.get(code);
}

/** Consent can be given (and withdrawn) only for a purpose that may rest on consent. */
export const acceptsConsent = (purpose: PurposeSpec): boolean => purpose.lawfulBases.includes('consent');

/** An objection can be recorded only for a purpose that may rest on legitimate interests (Art. 21(1)–(2)). */
export const acceptsObjection = (purpose: PurposeSpec): boolean => purpose.objection !== 'none';
