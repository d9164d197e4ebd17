import { purposePermission } from '@crm/auth';
import { defineErrors, type ErrorTable } from '@crm/errors';
import type { Purpose } from '../contact-schema/index.js';

/**
 * What each purpose may do beyond the fields it sees (the field catalogue) and the basis it rests on (purpose-bases):
 *
 * - `bulk`: it may page through contacts without a criterion. Direct marketing selects its audience in bulk and
 *   analytics is aggregate by nature; serving, selling to, billing a customer or a legal claim concern one person,
 *   who is looked up (Art. 5(1)(c): nobody browses the customer base to find them).
 * - `whileRestricted`: it may still read a contact whose processing is restricted. Art. 18(2): apart from storage,
 *   restricted data is processed only with the subject's consent, for legal claims, to protect another person's rights
 *   or for an important public interest; of the platform's purposes that is `legal-claims` alone. (Storage is not a
 *   read: the record stays, and the restriction itself is handled as a data subject's request.)
 */
// prettier-ignore
export const PURPOSE_ACCESS: Readonly<Record<Purpose, { readonly bulk: boolean; readonly whileRestricted: boolean }>> = {
  'customer-service': { bulk: false, whileRestricted: false },
  sales:              { bulk: false, whileRestricted: false },
  marketing:          { bulk: true,  whileRestricted: false },
  billing:            { bulk: false, whileRestricted: false },
  analytics:          { bulk: true,  whileRestricted: false },
  'legal-claims':     { bulk: false, whileRestricted: true },
};

export const PURPOSE_ACCESS_ERRORS = {
  /** The caller's roles do not include this purpose (`purpose:<code>` permission, `@crm/auth`'s role catalogue). */
  PURPOSE_NOT_PERMITTED: { kind: 'forbidden', retriable: false },
  /** A search for a purpose that concerns one person names no e-mail, phone or name. */
  CONTACT_SEARCH_CRITERIA_REQUIRED: { kind: 'invalid', retriable: false },
  /** The contact's processing is restricted (Art. 18) and the purpose is not one the law still allows. */
  CONTACT_PROCESSING_RESTRICTED: { kind: 'forbidden', retriable: false },
} as const satisfies ErrorTable;

export const purposeAccessError = defineErrors(PURPOSE_ACCESS_ERRORS);

export type PurposeAccessOutcome = 'allowed' | keyof typeof PURPOSE_ACCESS_ERRORS;

/** Pure: whether a holder of `permissions` may process contacts for `purpose`. */
export function decidePurpose(permissions: readonly string[], purpose: Purpose): PurposeAccessOutcome {
  const needed = purposePermission(purpose);
  return needed !== undefined && permissions.includes(needed) ? 'allowed' : 'PURPOSE_NOT_PERMITTED';
}

/** Pure: whether a search with `criteria` criteria (e-mail, phone, name) may run for `purpose`. */
export function decideSearch(purpose: Purpose, criteria: number): PurposeAccessOutcome {
  return criteria > 0 || PURPOSE_ACCESS[purpose].bulk ? 'allowed' : 'CONTACT_SEARCH_CRITERIA_REQUIRED';
}

/** Pure: whether a contact (restricted or not) may be read for `purpose`. */
export function decideRestrictedRead(purpose: Purpose, restricted: boolean): PurposeAccessOutcome {
  return !restricted || PURPOSE_ACCESS[purpose].whileRestricted ? 'allowed' : 'CONTACT_PROCESSING_RESTRICTED';
}

/** Throws the outcome's error (a stable code, the purpose in the details, nothing about the contact) unless allowed. */
export function ensureAllowed(outcome: PurposeAccessOutcome, purpose: Purpose): void {
  switch (outcome) {
    case 'allowed':
      return;
    case 'PURPOSE_NOT_PERMITTED':
      throw purposeAccessError('PURPOSE_NOT_PERMITTED', `your roles do not allow processing for ${purpose}`, { details: { purpose } });
    case 'CONTACT_SEARCH_CRITERIA_REQUIRED':
      throw purposeAccessError('CONTACT_SEARCH_CRITERIA_REQUIRED', `a search for ${purpose} needs an e-mail, a phone or a name`, {
        details: { purpose, criteria: ['email', 'phone', 'name'] },
      });
    case 'CONTACT_PROCESSING_RESTRICTED':
      throw purposeAccessError('CONTACT_PROCESSING_RESTRICTED', `the contact's processing is restricted; ${purpose} may not read it`, {
        details: { purpose, allowedPurposes: restrictedPurposes() },
      });
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

/** The purposes a restricted contact may still be read for. */
export function restrictedPurposes(): Purpose[] {
  return (Object.keys(PURPOSE_ACCESS) as Purpose[]).filter((purpose) => PURPOSE_ACCESS[purpose].whileRestricted);
}
