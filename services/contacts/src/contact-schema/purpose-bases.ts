import { contactsApi } from '@crm/api-contract';
import type { Purpose } from './contact-fields.catalogue.js';

/** GDPR Art. 6(1)(a)–(f) as the API spells them. */
export const { LEGAL_BASIS_CODES } = contactsApi;
export type LegalBasisCode = (typeof LEGAL_BASIS_CODES)[number];

/** What Art. 21 allows: `absolute` for direct marketing (21(2)–(3)), `balancing` on legitimate interests (21(1)), `none`. */
export type ObjectionRule = 'absolute' | 'balancing' | 'none';

export interface PurposeBases {
  /** Every basis processing for this purpose may rest on, the default (used when a request names none) first. */
  readonly lawfulBases: readonly [LegalBasisCode, ...LegalBasisCode[]];
  readonly objection: ObjectionRule;
}

/**
 * The one place contacts reads a purpose's lawful bases from: the default basis of a write, the bases a read may
 * claim, and what consent and objections mean for it (`lawful-basis/basis.decision.ts`). The consent service's purpose
 * catalogue (`services/consent/src/purposes/purpose.catalogue.ts`) holds the same table; its unit spec copies this one,
 * since a service never imports another, so a drift fails there.
 */
// prettier-ignore
export const PURPOSE_BASES: Readonly<Record<Purpose, PurposeBases>> = {
  'customer-service': { lawfulBases: ['contract'],                        objection: 'none' },
  sales:              { lawfulBases: ['contract'],                        objection: 'none' },
  marketing:          { lawfulBases: ['consent', 'legitimate-interests'], objection: 'absolute' },
  billing:            { lawfulBases: ['contract'],                        objection: 'none' },
  analytics:          { lawfulBases: ['legitimate-interests'],            objection: 'balancing' },
  // Art. 21(1) itself lets processing for legal claims go on after an objection.
  'legal-claims':     { lawfulBases: ['legitimate-interests'],            objection: 'none' },
};

/** The basis a purpose rests on when a request names none. */
export const defaultBasisOf = (purpose: Purpose): LegalBasisCode => PURPOSE_BASES[purpose].lawfulBases[0];
