import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * Every failure the audit service answers with. Kind (and so the HTTP status) and retriability are fixed per code
 * here, not at the throw site. Messages carry ids, sizes and field names only: never an entry's content.
 */
export const AUDIT_ERRORS = {
  /** No audit entry has that event id or leaf index. */
  AUDIT_ENTRY_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** A tree size that is not an integer in [0, current size], or an old size above the new one. */
  AUDIT_TREE_SIZE_INVALID: { kind: 'invalid', retriable: false },
  /** The entry is not covered by the requested tree size. */
  AUDIT_ENTRY_NOT_IN_TREE: { kind: 'invalid', retriable: false },
  /** No tree head has been signed yet (the log is empty or the signer has not run). */
  AUDIT_TREE_HEAD_UNAVAILABLE: { kind: 'unavailable', retriable: true },
  /** The signer found the database disagreeing with a head it signed earlier and refuses to sign over it. */
  AUDIT_LOG_INTEGRITY_FAILED: { kind: 'unavailable', retriable: false },
  /** A paging cursor that this service did not issue. */
  AUDIT_CURSOR_INVALID: { kind: 'invalid', retriable: false },
  /** A register entry (activity or processor) that does not exist. */
  AUDIT_REGISTER_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** PUT with an expected version that is no longer the current one (someone else changed it first). */
  AUDIT_REGISTER_VERSION_CONFLICT: { kind: 'conflict', retriable: false },
  /** Approving an activity that is not a draft (approved already, or declared by a DPO in the first place). */
  AUDIT_REGISTER_ALREADY_APPROVED: { kind: 'conflict', retriable: false },
  /** An activity naming a processor the processor register does not hold. */
  AUDIT_PROCESSOR_UNKNOWN: { kind: 'invalid', retriable: false },
  /** An export format other than json, csv or html. */
  AUDIT_FORMAT_UNSUPPORTED: { kind: 'invalid', retriable: false },
} as const satisfies ErrorTable;

export type AuditErrorCode = keyof typeof AUDIT_ERRORS;

export const auditError = defineErrors(AUDIT_ERRORS);
