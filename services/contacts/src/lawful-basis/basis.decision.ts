import { PURPOSE_BASES, type LegalBasisCode, type Purpose } from '../contact-schema/index.js';
import { lawfulBasisError } from './lawful-basis.errors.js';

/** What contacts knows of one contact's consent and objection for one purpose (the `consent_states` row). */
export interface ConsentState {
  /** Consent given and not withdrawn since. */
  readonly consentInForce: boolean;
  /** An Art. 21 objection is recorded (there is no withdrawing one yet). */
  readonly objected: boolean;
}

/** No row: nothing was ever given or objected to. */
export const NO_CONSENT_STATE: ConsentState = { consentInForce: false, objected: false };

/** What processing for a purpose on a basis needs of a contact's state: the same rule for one contact and for SQL. */
export interface BasisRequirement {
  /** Only a contact with consent in force may be processed. */
  readonly consent: boolean;
  /** A contact who objected may not be processed. */
  readonly noObjection: boolean;
}

export type BasisOutcome = 'allowed' | 'CONSENT_REQUIRED' | 'OBJECTION_RECORDED';

/**
 * The basis a read rests on: the one it names, which must be one of the purpose's bases, or the purpose's default.
 * Claiming another (marketing on `contract`) would step around consent, so it is refused.
 */
export function readBasis(purpose: Purpose, requested: LegalBasisCode | undefined): LegalBasisCode {
  const { lawfulBases } = PURPOSE_BASES[purpose];
  if (requested === undefined) return lawfulBases[0];
  if (!lawfulBases.includes(requested)) {
    throw lawfulBasisError('LEGAL_BASIS_NOT_APPLICABLE', `purpose ${purpose} rests on ${lawfulBases.join(' or ')}`, {
      details: { purpose, legalBasis: requested, lawfulBases },
    });
  }
  return requested;
}

/**
 * Pure: what processing for `purpose` on `basis` requires. On consent, consent in force (Art. 6(1)(a), 7(3)). An
 * objection stops direct marketing whatever its basis (Art. 21(3): absolute) and stops processing on legitimate
 * interests for a purpose open to balancing (Art. 21(1): the platform records no compelling grounds, so it stops).
 */
export function basisRequirement(purpose: Purpose, basis: LegalBasisCode): BasisRequirement {
  const { objection } = PURPOSE_BASES[purpose];
  return {
    consent: basis === 'consent',
    noObjection: objection === 'absolute' || (objection === 'balancing' && basis === 'legitimate-interests'),
  };
}

/** Pure: whether a contact in `state` may be processed for `purpose` on `basis`; an objection outranks missing consent. */
export function decideBasis(purpose: Purpose, basis: LegalBasisCode, state: ConsentState): BasisOutcome {
  const requirement = basisRequirement(purpose, basis);
  if (requirement.noObjection && state.objected) return 'OBJECTION_RECORDED';
  if (requirement.consent && !state.consentInForce) return 'CONSENT_REQUIRED';
  return 'allowed';
}
