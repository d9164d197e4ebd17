import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * The consent module's codes. Messages name purposes and rules at most, never evidence or anything else the caller
 * sent about the person (they are returned to clients and may be logged).
 */
export const CONSENT_ERRORS = {
  /** The contact id is not a UUID (no contact can have it). */
  CONSENT_CONTACT_ID_INVALID: { kind: 'invalid', retriable: false },
  /**
   * No contact with this id is known to consent (it learns contacts from contacts' events, within moments of their
   * creation): nothing is recorded for a contact that does not exist.
   */
  CONSENT_CONTACT_UNKNOWN: { kind: 'not_found', retriable: false },
  /** The contact was erased (its key is shredded): nothing more is recorded about it. */
  CONSENT_CONTACT_ERASED: { kind: 'gone', retriable: false },
  /** No double opt-in was asked for with this confirmation token (or the token is malformed). */
  CONSENT_CONFIRMATION_UNKNOWN: { kind: 'not_found', retriable: false },
  /** The confirmation token has been used already: a token confirms once. */
  CONSENT_CONFIRMATION_USED: { kind: 'conflict', retriable: false },
  /** The confirmation token's time is over (`CRM_CONSENT_CONFIRMATION_TTL_HOURS`); the consent must be asked for again. */
  CONSENT_CONFIRMATION_EXPIRED: { kind: 'gone', retriable: false },
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
  /** Consent against a privacy-notice version that does not exist. */
  CONSENT_NOTICE_UNKNOWN: { kind: 'invalid', retriable: false },
  /** Consent against a privacy-notice version that is drafted but not published (nobody can have been shown it). */
  CONSENT_NOTICE_NOT_PUBLISHED: { kind: 'invalid', retriable: false },
  /** A privacy-notice language other than the ones offered (`pl`, `en`). */
  NOTICE_LANGUAGE_UNSUPPORTED: { kind: 'invalid', retriable: false },
  /** No such privacy-notice version (or, on the public routes, none published under that name). */
  NOTICE_VERSION_UNKNOWN: { kind: 'not_found', retriable: false },
  /** No privacy notice has been published in this language yet. */
  NOTICE_NOT_PUBLISHED_YET: { kind: 'not_found', retriable: false },
  /** The version is published already: a published notice never changes. */
  NOTICE_ALREADY_PUBLISHED: { kind: 'conflict', retriable: false },
} as const satisfies ErrorTable;

export const consentError = defineErrors(CONSENT_ERRORS);
