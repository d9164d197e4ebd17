import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * The consent module's codes. Messages name purposes and rules at most, never evidence or anything else the caller
 * sent about the person (they are returned to clients and may be logged).
 */
export const CONSENT_ERRORS = {
  /** The contact id is not a UUID (no contact can have it). */
  CONSENT_CONTACT_ID_INVALID: { kind: 'invalid', retriable: false },
  /** The contact was erased (its key is shredded): nothing more is recorded about it. */
  CONSENT_CONTACT_ERASED: { kind: 'gone', retriable: false },
  /** The purpose is not in the purpose catalogue. */
  CONSENT_PURPOSE_UNKNOWN: { kind: 'invalid', retriable: false },
  /** Consent was given or withdrawn for a purpose that does not rest on consent (contract, legal obligation …). */
  CONSENT_BASIS_NOT_CONSENT: { kind: 'invalid', retriable: false },
  /** A withdrawal of a consent that was never given, or is withdrawn already. */
  CONSENT_NOT_GIVEN: { kind: 'conflict', retriable: false },
  /** An objection (Art. 21) to a purpose that does not rest on legitimate interests. */
  OBJECTION_NOT_APPLICABLE: { kind: 'invalid', retriable: false },
  /** The contact has objected to this purpose already. */
  OBJECTION_ALREADY_RECORDED: { kind: 'conflict', retriable: false },
} as const satisfies ErrorTable;

export const consentError = defineErrors(CONSENT_ERRORS);
