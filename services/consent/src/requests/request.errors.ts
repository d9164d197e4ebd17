import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * The request desk's codes. Messages name states, types and limits at most, never the evidence, reasons or anything
 * else the caller wrote about the person (they are returned to clients and may be logged).
 */
export const REQUEST_ERRORS = {
  /** The request id is not a UUID, or no request has it. */
  REQUEST_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** The contact id is not a UUID (no contact can have it). */
  REQUEST_CONTACT_ID_INVALID: { kind: 'invalid', retriable: false },
  /** The contact was erased (its key is shredded): no request about it can be filed or worked any more. */
  REQUEST_CONTACT_ERASED: { kind: 'gone', retriable: false },
  /** `receivedAt` lies after the service's clock: a request cannot be received in the future. */
  REQUEST_RECEIVED_IN_FUTURE: { kind: 'invalid', retriable: false },
  /** The request is completed or refused: nothing about it changes any more (completing it again included). */
  REQUEST_ALREADY_CLOSED: { kind: 'conflict', retriable: false },
  /** The requester's identity is verified already. */
  REQUEST_ALREADY_VERIFIED: { kind: 'conflict', retriable: false },
  /** Work on the request has started already. */
  REQUEST_ALREADY_IN_PROGRESS: { kind: 'conflict', retriable: false },
  /** Nothing is worked or disclosed before the requester's identity is verified. */
  REQUEST_NOT_VERIFIED: { kind: 'conflict', retriable: false },
  /** An extension would take the period beyond three months from receipt (Art. 12(3): two further months at most). */
  REQUEST_EXTENSION_LIMIT: { kind: 'conflict', retriable: false },
  /** An extension after the first month: the person must be told of it within one month of receipt (Art. 12(3)). */
  REQUEST_EXTENSION_TOO_LATE: { kind: 'conflict', retriable: false },
  /** Completing an objection request needs the purpose objected to (the objection is recorded with the completion). */
  REQUEST_OBJECTION_PURPOSE_REQUIRED: { kind: 'invalid', retriable: false },
  /** A purpose given on completing a request that is not an objection (nothing to record it against). */
  REQUEST_PURPOSE_NOT_APPLICABLE: { kind: 'invalid', retriable: false },
  /**
   * No contact of this id: filing a request about an id consent has never learnt from contacts' events, or contacts
   * has no such contact when a request's work needs it (its data, its erasure).
   */
  REQUEST_CONTACT_UNKNOWN: { kind: 'not_found', retriable: false },
  /** No package of this request in this format: not an access or portability request, not completed, or deleted. */
  REQUEST_PACKAGE_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** The package's download period is over; it is deleted (the person may file a new request). */
  REQUEST_PACKAGE_EXPIRED: { kind: 'gone', retriable: false },
  /** No erasure receipt for this request: not an erasure request, or not completed. */
  REQUEST_RECEIPT_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** Completing a rectification request needs the `changes` to make (as `PATCH /v1/contacts/{id}` takes them). */
  REQUEST_CHANGES_REQUIRED: { kind: 'invalid', retriable: false },
  /** Completing a restriction request needs the `restrictionReason` (Art. 18(1) ground). */
  REQUEST_RESTRICTION_REASON_REQUIRED: { kind: 'invalid', retriable: false },
  /** `changes`, `expectedVersion` or `restrictionReason` on completing a request of another type (details name the field). */
  REQUEST_WORK_NOT_APPLICABLE: { kind: 'invalid', retriable: false },
  /** A reference on completing an erasure: it could only be sealed under the key the erasure destroys (the receipt is its record). */
  REQUEST_REFERENCE_NOT_APPLICABLE: { kind: 'invalid', retriable: false },
} as const satisfies ErrorTable;

export const requestError = defineErrors(REQUEST_ERRORS);
