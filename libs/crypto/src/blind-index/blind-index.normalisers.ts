import { domainToASCII } from 'node:url';
import { cryptoError } from '../crypto.errors.js';

/**
 * Normalisation decides which inputs count as "the same value" for exact-match search. Every rule is a trade-off
 * between missed matches and false matches; a false match is worse here, because a DSAR or an erasure search that
 * returns another person's records is itself a data breach.
 */

const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets.

/**
 * Trim, NFKC (full-width and compatibility forms fold to their plain equivalents), lower-case (locale-independent,
 * so a Turkish server locale cannot change the result), IDN domain to its ASCII (punycode) form.
 * Dots and `+tags` are kept: ignoring dots is a Gmail rule, not an e-mail rule, and `+` sub-addressing is a
 * convention many providers do not honour, so stripping them would merge mailboxes that belong to different people.
 * Lower-casing the local part is the one liberty taken (RFC 5321 §2.4 lets it be case-sensitive; practically no
 * provider does that, while users type case inconsistently all the time).
 */
export function normaliseEmail(value: string): string {
  const folded = value.trim().normalize('NFKC').toLowerCase();
  const at = folded.lastIndexOf('@');
  if (at <= 0 || at === folded.length - 1 || /\s/u.test(folded) || folded.length > MAX_EMAIL_LENGTH) {
    throw cryptoError('BLIND_INDEX_VALUE_INVALID', 'not an e-mail address');
  }
  const domain = domainToASCII(folded.slice(at + 1));
  if (domain === '') throw cryptoError('BLIND_INDEX_VALUE_INVALID', 'not an e-mail address');
  return `${folded.slice(0, at)}@${domain}`;
}

const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15; // ITU-T E.164 §6.1.

/**
 * Digits with an optional leading `+`; spaces, dashes, dots, slashes and parentheses are layout and are dropped.
 * NFKC first so full-width digits count. Anything else (letters, `ext.`) is refused rather than guessed at.
 * No country-specific rewriting (`0151…` vs `+49151…`, `00` vs `+`): that needs a numbering-plan database and a
 * default region, and a wrong guess merges two people's numbers; callers that know the region should pass E.164.
 */
export function normalisePhone(value: string): string {
  const folded = value.normalize('NFKC').trim();
  const plus = folded.startsWith('+');
  const rest = (plus ? folded.slice(1) : folded).replace(/[\s\-./()]/gu, '');
  if (!/^[0-9]+$/.test(rest) || rest.length < MIN_PHONE_DIGITS || rest.length > MAX_PHONE_DIGITS) {
    throw cryptoError('BLIND_INDEX_VALUE_INVALID', `a phone number needs ${MIN_PHONE_DIGITS}–${MAX_PHONE_DIGITS} digits and nothing but separators`);
  }
  return plus ? `+${rest}` : rest;
}

/**
 * Search tokens of a personal name: NFKD, combining marks stripped (`Zoë` → `zoe`, `Müller` → `muller`),
 * lower-cased, split on anything that is not a letter, deduplicated in order of appearance. Letters without a
 * decomposition (`ß`, `ø`, `ł`) stay as they are, and the German transliteration `ü` = `ue` is not applied, so
 * `Müller` does not find `Mueller`.
 */
export function nameTokens(value: string): string[] {
  const stripped = value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const tokens = stripped.split(/[^\p{L}]+/u).filter((token) => token.length > 0);
  if (tokens.length === 0) throw cryptoError('BLIND_INDEX_VALUE_INVALID', 'a name needs at least one letter');
  return [...new Set(tokens)];
}

/** For identifiers compared exactly (customer numbers): trim and NFKC only; case is significant. */
export function normaliseExact(value: string): string {
  const folded = value.normalize('NFKC').trim();
  if (folded.length === 0) throw cryptoError('BLIND_INDEX_VALUE_INVALID', 'an empty value cannot be indexed');
  return folded;
}
