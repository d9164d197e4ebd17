import { createHash } from 'node:crypto';
import type { ActivityDocument, LEGAL_BASES } from '../activities/activity.document.js';
import { REGISTER_PURPOSE } from '../register.events.js';

type LegalBasis = (typeof LEGAL_BASES)[number];

/**
 * The purposes the platform processes for, with the basis each rests on by default: the purpose catalogue of the
 * consent service (`services/consent/src/purposes/purpose.catalogue.ts`, `GET /v1/purposes`), copied on purpose — a
 * service never imports another — and `draft-register.unit.spec.ts` copies consent's table so a drift fails there.
 * Plus the audit service's own `records-of-processing` (the register's own changes), which its events carry.
 * Every one of them is a purpose the platform uses: with no approved activity declaring it, the register flags it.
 */
// prettier-ignore
export const PLATFORM_PURPOSES: ReadonlyArray<{ code: string; legalBasis: LegalBasis; owner: 'business' | 'platform' }> = [
  { code: 'customer-service',          legalBasis: 'contract',             owner: 'business' },
  { code: 'sales',                     legalBasis: 'contract',             owner: 'business' },
  { code: 'billing',                   legalBasis: 'contract',             owner: 'business' },
  { code: 'marketing',                 legalBasis: 'consent',              owner: 'business' },
  { code: 'analytics',                 legalBasis: 'legitimate_interests', owner: 'business' },
  { code: 'legal-claims',              legalBasis: 'legitimate_interests', owner: 'business' },
  { code: 'access-control',            legalBasis: 'legal_obligation',     owner: 'platform' },
  { code: 'data-protection-oversight', legalBasis: 'legal_obligation',     owner: 'platform' },
  { code: 'data-subject-rights',       legalBasis: 'legal_obligation',     owner: 'platform' },
  { code: REGISTER_PURPOSE,            legalBasis: 'legal_obligation',     owner: 'platform' },
];

/** The actor of the platform's drafts (a service, not a person: a draft is a proposal, never a declaration). */
export const DRAFT_ACTOR = 'audit:register-draft';

const SECURITY = [
  'personal data encrypted per data subject; erasure destroys the key (crypto-shredding)',
  'least-privilege roles, a second factor for every role that sees personal data',
  'every processing recorded in the tamper-evident audit trail',
];
const CUSTOMERS = ['customers'];

/** What every draft says: it is the platform's proposal, to be checked against the business's reality. */
const REVIEW = 'Draft proposed by the platform for the DPO to review and approve; it states what the platform does, not yet what the business decided.';

// One activity per built-in purpose (oversight also covers `records-of-processing`, the register's own changes).
// Retention periods are starting points for the DPO: contract claims 6 years (Polish Civil Code Art. 118),
// accounting 5 years (Accounting Act Art. 74), consent until withdrawn.
const DRAFTS: readonly ActivityDocument[] = [
  draft('customer-service', 'Customer service', 'contract', {
    description: 'Serving customers: answering requests, support and deliveries under their contract.',
    personalDataCategories: ['identification data (name)', 'contact data (e-mail, phone, address)', 'purchase history', 'service correspondence'],
    recipients: ['customer-service staff', 'couriers delivering an order'],
    retentionPeriod: 'P6Y',
    retentionNote: 'After the contract ends: the limitation period of contract claims.',
  }),
  draft('sales', 'Sales', 'contract', {
    description: "Selling to customers and preparing a contract at the person's request (Art. 6(1)(b)).",
    dataSubjectCategories: ['customers', 'prospective customers who asked for an offer'],
    personalDataCategories: ['identification data (name)', 'contact data (e-mail, phone, address)', 'purchase history'],
    recipients: ['sales staff'],
    retentionPeriod: 'P6Y',
    retentionNote: 'After the contract ends (an offer not taken up: 1 year); the limitation period of contract claims.',
  }),
  draft('billing', 'Invoicing and payments', 'contract', {
    description: 'Invoicing and payments for purchases.',
    personalDataCategories: ['identification data (name)', 'address', 'purchases and amounts'],
    recipients: ['accounting staff', 'tax authorities on request'],
    retentionPeriod: 'P5Y',
    retentionNote: 'From the end of the financial year (accounting and tax records).',
  }),
  draft('marketing', 'Direct marketing', 'consent', {
    description: 'Direct marketing to people who consented (or to existing customers on legitimate interests, soft opt-in).',
    legalBasisNote: 'Consent recorded per contact against the privacy notice in force; withdrawal and objection stop it at once (Art. 7(3), 21(2)–(3)).',
    dataSubjectCategories: ['customers and prospects who consented'],
    personalDataCategories: ['identification data (name)', 'contact data (e-mail, phone)', 'preferences'],
    recipients: ['marketing staff'],
    retentionPeriod: 'until-withdrawal',
    retentionNote: 'Until the consent is withdrawn or an objection is made; the proof of consent is kept under data-subject rights.',
  }),
  draft('analytics', 'Analytics', 'legitimate_interests', {
    description: 'Aggregate analysis of purchases and preferences to improve the offer.',
    legalBasisNote: 'Legitimate interests: the DPO records the reference of the balancing test here; an objection is weighed (Art. 21(1)).',
    personalDataCategories: ['purchase history', 'preferences'],
    recipients: ['analysts (aggregates only)'],
    retentionPeriod: 'P2Y',
  }),
  draft('legal-claims', 'Legal claims', 'legitimate_interests', {
    description: 'Establishing, exercising or defending legal claims; the one purpose a restricted contact may still be read for.',
    legalBasisNote: 'Legitimate interests (Art. 6(1)(f)); Art. 17(3)(e), 18(2) and 21(1) let it go on.',
    personalDataCategories: ['the data relevant to the claim'],
    recipients: ['legal counsel', 'courts and authorities'],
    retentionPeriod: 'P6Y',
    retentionNote: 'Until the claim is settled, at most the limitation period.',
  }),
  draft('access-control', 'Staff access control and security', 'legal_obligation', {
    description: 'Staff sign-in, second factor, permissions and the record of refused requests (Art. 32 security of processing).',
    dataSubjectCategories: ['staff'],
    personalDataCategories: ['identification data (name, e-mail)', 'password hashes and second-factor secrets', 'sign-in and refusal records'],
    recipients: ['administrators', 'the DPO'],
    retentionPeriod: 'P1Y',
    retentionNote: 'Sign-in records; the account itself while the person works for the controller.',
  }),
  draft('data-protection-oversight', 'Data-protection oversight and records of processing', 'legal_obligation', {
    purposes: ['data-protection-oversight', REGISTER_PURPOSE],
    description: "The audit trail of every processing, the DPO's queries of it and this register (Art. 5(2), 30).",
    dataSubjectCategories: ['customers', 'staff'],
    personalDataCategories: ['ids of the people concerned and of staff', 'what was done, when, why and on which basis (no content of the data)'],
    recipients: ['the DPO', 'the supervisory authority on request'],
    retentionPeriod: 'P10Y',
    retentionNote: 'Audit entries hold ids and hashes, not the data; the append-only log is not pruned today, which the DPO should weigh.',
  }),
  draft('data-subject-rights', "Data subjects' rights and consents", 'legal_obligation', {
    description:
      "Handling data subjects' requests (access, rectification, erasure, restriction, portability, objection) and keeping proof of consent (Art. 7, 12–22).",
    personalDataCategories: ['identification data (name)', 'request details and identity verification', 'consents and objections with their evidence'],
    recipients: ['the DPO'],
    retentionPeriod: 'P6Y',
    retentionNote: 'After the request is closed or the consent ends: to demonstrate compliance (Art. 5(2), 7(1)).',
  }),
];

function draft(
  purpose: string,
  name: string,
  legalBasis: LegalBasis,
  fields: Partial<ActivityDocument> & Pick<ActivityDocument, 'personalDataCategories' | 'recipients' | 'retentionPeriod'>,
): ActivityDocument {
  return {
    name,
    purposes: [purpose],
    legalBasis,
    dataSubjectCategories: CUSTOMERS,
    processorIds: [],
    thirdCountryTransfers: [],
    securityMeasures: SECURITY,
    ...fields,
    description: `${fields.description ?? ''} ${REVIEW}`.trim(),
  };
}

/** The draft register: one activity per built-in purpose, each under a fixed id (so seeding is idempotent). */
export function draftRegister(): ReadonlyArray<{ id: string; document: ActivityDocument }> {
  return DRAFTS.map((document) => ({ id: draftActivityId(document.purposes[0]!), document }));
}

/** A fixed name-based id (RFC 9562 version 5) per purpose: the same on every platform and every start. */
export function draftActivityId(purpose: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(`crm.register.draft.${purpose}`, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
const NAMESPACE = '6f1c2a44-3b7e-4d0a-9a51-52c0a3e9d7b1';
