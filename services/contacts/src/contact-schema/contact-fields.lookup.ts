import { CONTACT_FIELDS, TRANSACTION_PREFIX, type DataCategory, type FieldSpec, type Purpose, PURPOSES } from './contact-fields.catalogue.js';

const SPECS_BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(CONTACT_FIELDS.map((spec) => [spec.path, spec]));

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

/**
 * The fields a purpose may see, in catalogue order: what a read or an export for that purpose is minimised to.
 * An unknown purpose sees nothing (deny by default), whatever string reached us at runtime.
 */
export function fieldsForPurpose(purpose: Purpose): readonly FieldSpec[] {
  return CONTACT_FIELDS.filter((spec) => (spec.purposes as readonly string[]).includes(purpose));
}

/** A catalogue path (`addresses[].city`) or a concrete one (`addresses[2].city`, `emails[0]`) to its catalogue form. */
export function catalogPathOf(path: string): string {
  return path.replace(/\[[0-9]+\]/g, '[]');
}

export function fieldSpecOf(path: string): FieldSpec | undefined {
  return SPECS_BY_PATH.get(catalogPathOf(path));
}

/** The data category of a declared field, or `undefined` for a path the catalogue does not declare. */
export function categoryOf(path: string): DataCategory | undefined {
  return fieldSpecOf(path)?.category;
}

/**
 * The part of a path that a rectification replaces as a whole: everything before the first `[]`
 * (`addresses[].city` → `addresses`, `name.given` → `name.given`).
 */
export function rectifiableUnitOf(path: string): string {
  return catalogPathOf(path).split('[]')[0]!;
}

/** The contact's own rectifiable units, in catalogue order; transactions are their own records, never rectified here. */
export const RECTIFIABLE_UNITS: readonly string[] = [
  ...new Set(CONTACT_FIELDS.filter((spec) => !spec.path.startsWith(TRANSACTION_PREFIX)).map((spec) => rectifiableUnitOf(spec.path))),
];
