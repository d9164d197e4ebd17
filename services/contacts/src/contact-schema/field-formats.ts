import { domainToASCII } from 'node:url';
import { normalisePhone } from '@crm/crypto';
import type { FieldFormat } from './contact-fields.catalogue.js';

export const MAX_EMAIL_LENGTH = 254; // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets.
const MAX_LOCAL_PART_LENGTH = 64; // RFC 5321 §4.5.3.1.1.
// |amount| ≤ 10^13 minor units (100 billion in a two-decimal currency): far above any real order, far below 2^53.
const MAX_ABS_CENTS = 10_000_000_000_000n;

/** The outcome of one leaf: its normalised value, or the rule it broke (`max` for length limits). */
export type LeafResult = { ok: true; value: unknown } | { ok: false; rule: string; max?: number };

const fail = (rule: string, max?: number): LeafResult => (max === undefined ? { ok: false, rule } : { ok: false, rule, max });

/**
 * Validates and normalises one leaf value. Text is trimmed and NFC-normalised (so `é` typed as e + combining accent
 * and as one code point is stored, compared and length-checked the same way); length limits count code points after
 * normalisation, which is what the user sees.
 */
export function checkLeaf(format: FieldFormat, raw: unknown): LeafResult {
  switch (format.kind) {
    case 'cents':
      return checkCents(raw);
    case 'text':
    case 'email':
    case 'phone':
    case 'date':
    case 'instant':
    case 'country':
    case 'currency':
    case 'enum':
      break;
    default: {
      const _exhaustive: never = format;
      return _exhaustive;
    }
  }
  if (typeof raw !== 'string') return fail('type');
  const value = raw.normalize('NFC').trim();
  if (value.length === 0) return fail('empty');
  switch (format.kind) {
    case 'text':
      return [...value].length > format.maxLength ? fail('maxLength', format.maxLength) : { ok: true, value };
    case 'email':
      return checkEmail(value);
    case 'phone':
      return checkPhone(value);
    case 'date':
      return isCalendarDate(value) ? { ok: true, value } : fail('date');
    case 'instant':
      return checkInstant(value);
    case 'country':
      return /^[A-Za-z]{2}$/.test(value) ? { ok: true, value: value.toUpperCase() } : fail('country');
    case 'currency':
      return /^[A-Za-z]{3}$/.test(value) ? { ok: true, value: value.toUpperCase() } : fail('currency');
    case 'enum':
      return format.values.includes(value) ? { ok: true, value } : fail('enum');
  }
}

// RFC 5322 §3.2.3 atext; quoted local parts and address literals (`user@[192.0.2.1]`) are deliberately refused:
// they are legal, practically unused, and a favourite of header-injection and parser-confusion attacks.
const ATEXT_DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A pragmatic subset of RFC 5322 addr-spec: an ASCII dot-atom local part (≤ 64), `@`, a DNS domain of at least two
 * labels (IDN allowed, checked in its punycode form). The domain is lower-cased (RFC 5321 §2.4: domains are
 * case-insensitive); the local part is kept as typed, since only its provider may decide what case means.
 */
function checkEmail(value: string): LeafResult {
  if (value.length > MAX_EMAIL_LENGTH) return fail('maxLength', MAX_EMAIL_LENGTH);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return fail('email');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (local.length > MAX_LOCAL_PART_LENGTH || !ATEXT_DOT_ATOM.test(local)) return fail('email');
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > 253) return fail('email');
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) return fail('email');
  if (!/^([a-z]{2,63}|xn--[a-z0-9-]+)$/.test(labels.at(-1)!)) return fail('email');
  return { ok: true, value: `${local}@${domain}` };
}

/**
 * E.164 (ITU-T E.164 §6): `+`, a country code that does not start with 0, at most 15 digits. Layout separators are
 * dropped by the shared blind-index normaliser, so the stored form and the search form cannot drift apart. A number
 * without `+` is refused rather than guessed into a country.
 */
function checkPhone(value: string): LeafResult {
  let normalised: string;
  try {
    normalised = normalisePhone(value);
  } catch {
    return fail('phone');
  }
  return /^\+[1-9][0-9]{6,14}$/.test(normalised) ? { ok: true, value: normalised } : fail('phone');
}

/** YYYY-MM-DD naming a real day (no 2025-02-30); the year is 4 digits and at least 1000. */
function isCalendarDate(value: string): boolean {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1000) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 instant in UTC (`Z`), at most millisecond precision; normalised to `toISOString()` form. */
function checkInstant(value: string): LeafResult {
  const match = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,3})?Z$/.exec(value);
  if (match === null || !isCalendarDate(match[1]!)) return fail('instant');
  return { ok: true, value: new Date(value).toISOString() };
}

function checkCents(raw: unknown): LeafResult {
  let cents: bigint;
  if (typeof raw === 'bigint') cents = raw;
  else if (typeof raw === 'number' && Number.isSafeInteger(raw)) cents = BigInt(raw);
  else return fail(typeof raw === 'number' ? 'integer' : 'type');
  const magnitude = cents < 0n ? -cents : cents;
  return magnitude > MAX_ABS_CENTS ? fail('range') : { ok: true, value: cents };
}
