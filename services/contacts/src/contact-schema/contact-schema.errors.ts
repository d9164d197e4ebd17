import { AppError } from '@crm/errors';

/** One rejected value, named by its path and the rule it broke; never the value itself (it is personal data). */
export interface FieldViolation {
  field: string;
  rule: string;
  /** The limit that was exceeded (a length or an item count), when the rule has one. */
  max?: number;
}

export function fieldUnknown(fields: readonly string[]): AppError {
  return new AppError('CONTACT_FIELD_UNKNOWN', 'invalid', 'the input holds fields the contact schema does not declare', { details: { fields: [...fields] } });
}

export function fieldInvalid(violations: readonly FieldViolation[]): AppError {
  return new AppError('CONTACT_FIELD_INVALID', 'invalid', 'one or more contact fields are invalid', { details: { fields: [...violations] } });
}

export function specialCategoryRefused(fields: readonly string[]): AppError {
  return new AppError('CONTACT_SPECIAL_CATEGORY_REFUSED', 'invalid', 'special-category data (GDPR Art. 9) is not enabled for this deployment', {
    details: { fields: [...fields], category: 'special' },
  });
}
