export {
  CONTACT_FIELDS,
  LIST_LIMITS,
  TRANSACTION_PREFIX,
  DATA_CATEGORIES,
  PURPOSES,
  CHANNELS,
  type DataCategory,
  type Purpose,
  type Channel,
  type FieldFormat,
  type FieldSpec,
  type FieldPath,
} from './contact-fields.catalogue.js';
export { fieldsForPurpose, categoryOf, fieldSpecOf, catalogPathOf, isPurpose, rectifiableUnitOf, RECTIFIABLE_UNITS } from './contact-fields.lookup.js';
export { validateContactInput, validateContactPatch, validateTransactionInput, type ContactValidationOptions } from './contact-input.validation.js';
export type { ContactData, ContactPatch, Address, TransactionData } from './contact-data.types.js';
export { minimiseToPurpose, type Minimised } from './purpose.minimisation.js';
export type { FieldViolation } from './contact-schema.errors.js';
export { setAt, unsetAt, valueAt } from './unit-paths.js';
export { PURPOSE_BASES, LEGAL_BASIS_CODES, defaultBasisOf, type LegalBasisCode, type ObjectionRule, type PurposeBases } from './purpose-bases.js';
