/**
 * SP 800-63B §5.1.1.2: "the verifier SHOULD apply the Normalization Process for Stabilized Strings using either the
 * NFKC or NFKD normalization". NFKC, applied before every policy check and before hashing, makes the full-width,
 * ligature and composed/decomposed spellings of one password the same password: a user whose phone keyboard types
 * `é` as `e` + U+0301 can still log in from a desktop that types U+00E9.
 * Nothing else is changed: no trimming, no case folding, no truncation (§5.1.1.2 forbids truncation).
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * A lone UTF-16 surrogate cannot be encoded as UTF-8; the hashing library would replace it with U+FFFD, so two
 * different inputs would hash alike and the round trip would lie. Such strings are refused, never repaired.
 * (With the `u` flag a correctly paired surrogate is one code point and does not match this class.)
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function isWellFormedPassword(password: string): boolean {
  return !LONE_SURROGATE.test(password);
}

/** SP 800-63B §5.1.1.2: "each Unicode code point SHALL be counted as a single character". */
export function passwordLength(normalised: string): number {
  let length = 0;
  for (const _codePoint of normalised) length += 1;
  return length;
}

/**
 * For comparisons with words (blocklist, name, e-mail): compatibility forms folded, diacritics stripped, lower-cased
 * locale-independently. Only used to *compare*; the password that is hashed keeps its case and accents.
 */
export function foldForComparison(value: string): string {
  return value.normalize('NFKC').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
