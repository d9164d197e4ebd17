import { defineErrors, type ErrorTable } from '@crm/errors';

/** Refusals of processing whose lawful basis is missing (issue 12, "enforcement where the data is"). */
export const LAWFUL_BASIS_ERRORS = {
  /** The processing rests on consent and the contact has not given it for this purpose, or has withdrawn it. */
  CONSENT_REQUIRED: { kind: 'forbidden', retriable: false },
  /** The contact objected (Art. 21) to processing for this purpose. */
  OBJECTION_RECORDED: { kind: 'forbidden', retriable: false },
  /** The request claims a basis the purpose cannot rest on (marketing on contract, say). */
  LEGAL_BASIS_NOT_APPLICABLE: { kind: 'invalid', retriable: false },
} as const satisfies ErrorTable;

export const lawfulBasisError = defineErrors(LAWFUL_BASIS_ERRORS);
