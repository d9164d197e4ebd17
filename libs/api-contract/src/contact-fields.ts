/**
 * Every field a contact may hold, declared once as data (GDPR Art. 5(1)(b)–(c): purpose limitation and data
 * minimisation). A field that is not in this table cannot be stored; a purpose that is not listed for a field cannot
 * see it. Validation, read and export minimisation, sealing and the processing register all read this one table,
 * so changing what the platform keeps is a reviewable one-line diff here. It is part of the API (it is what a
 * contact's `data` may hold), so it lives here: the gateway documents it and the contacts service enforces it.
 *
 * Paths: `.` separates object members, `[]` marks "each item of a list". Everything up to the first `[]` is replaced
 * as a whole when a contact is rectified (a list of e-mails is one value; see `rectifiableUnitOf`).
 */

export const DATA_CATEGORIES = ['identity', 'contact', 'financial', 'preference', 'special'] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/**
 * `legal-claims`: establishing, exercising or defending legal claims (Art. 17(3)(e), 18(2), 21(1)): the one purpose
 * that may still read a contact whose processing is restricted.
 */
export const PURPOSES = ['customer-service', 'sales', 'marketing', 'billing', 'analytics', 'legal-claims'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const CHANNELS = ['email', 'phone', 'sms', 'post'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The validation rule of a leaf value. Its `kind` is also the `rule` an invalid value is reported under. */
export type FieldFormat =
  | { kind: 'text'; maxLength: number }
  | { kind: 'email' } // pragmatic RFC 5322 dot-atom subset, at most 254 characters (RFC 5321 §4.5.3.1.3)
  | { kind: 'phone' } // ITU-T E.164: `+`, country code, at most 15 digits
  | { kind: 'date' } // ISO 8601 calendar date, YYYY-MM-DD, a real day
  | { kind: 'instant' } // ISO 8601 UTC instant, e.g. 2025-01-31T12:00:00Z
  | { kind: 'country' } // ISO 3166-1 alpha-2, upper case
  | { kind: 'currency' } // ISO 4217 alpha-3, upper case
  | { kind: 'cents' } // integer minor units; negative for refunds
  | { kind: 'enum'; values: readonly string[] };

export interface FieldSpec {
  readonly path: string;
  readonly category: DataCategory;
  readonly purposes: readonly Purpose[];
  /**
   * Personal data: sealed with the subject's key in events and read models. Only an amount and its currency stay
   * plain (aggregates and analytics need them, and without the sealed description and date they say nothing about
   * a person); anything in doubt is sealed, because a plain copy cannot be shredded.
   */
  readonly sealed: boolean;
  readonly format: FieldFormat;
}

const CS = 'customer-service';
const LC = 'legal-claims';
const text = (maxLength: number): FieldFormat => ({ kind: 'text', maxLength });

// prettier-ignore
export const CONTACT_FIELDS = [
  // path                              category      purposes                                          sealed  format
  f('name.given',                      'identity',   [CS, 'sales', 'marketing', 'billing', LC],        true,   text(100)),
  f('name.family',                     'identity',   [CS, 'sales', 'marketing', 'billing', LC],        true,   text(100)),
  f('birthDate',                       'identity',   [CS, LC],                                         true,   { kind: 'date' }),
  f('emails[]',                        'contact',    [CS, 'sales', 'marketing', 'billing', LC],        true,   { kind: 'email' }),
  f('phones[]',                        'contact',    [CS, 'sales', LC],                                true,   { kind: 'phone' }),
  f('addresses[].street',              'contact',    [CS, 'billing', LC],                              true,   text(200)),
  f('addresses[].postalCode',          'contact',    [CS, 'billing', LC],                              true,   text(20)),
  f('addresses[].city',                'contact',    [CS, 'billing', LC],                              true,   text(100)),
  f('addresses[].country',             'contact',    [CS, 'billing', 'analytics', LC],                 true,   { kind: 'country' }),
  f('preferences.channels[]',          'preference', [CS, 'marketing'],                                true,   { kind: 'enum', values: CHANNELS }),
  f('preferences.categories[]',        'preference', [CS, 'sales', 'marketing', 'analytics'],          true,   text(64)),
  f('notes[]',                         'contact',    [CS, 'sales', LC],                                true,   text(2_000)),
  f('transactions[].description',      'financial',  [CS, 'billing', LC],                              true,   text(500)),
  f('transactions[].amountCents',      'financial',  [CS, 'sales', 'billing', 'analytics', LC],        false,  { kind: 'cents' }),
  f('transactions[].currency',         'financial',  [CS, 'sales', 'billing', 'analytics', LC],        false,  { kind: 'currency' }),
  f('transactions[].occurredAt',       'financial',  [CS, 'sales', 'billing', 'analytics', LC],        true,   { kind: 'instant' }),
  // Art. 9 data: refused unless the deployment explicitly enables special categories.
  f('healthNotes',                     'special',    [CS],                                             true,   text(2_000)),
] as const satisfies readonly FieldSpec[];

/** How many items a list may hold; bounded so one contact cannot grow without limit (and slow every read). */
// prettier-ignore
export const LIST_LIMITS: Readonly<Record<string, number>> = {
  'emails':                 10,
  'phones':                 10,
  'addresses':              5,
  'preferences.channels':   CHANNELS.length,
  'preferences.categories': 20,
  'notes':                  100,
};

/** Fields that belong to a transaction (added by `AddTransaction`), not to the contact's own data. */
export const TRANSACTION_PREFIX = 'transactions[].';

export type FieldPath = (typeof CONTACT_FIELDS)[number]['path'];

function f<P extends string>(path: P, category: DataCategory, purposes: readonly Purpose[], sealed: boolean, format: FieldFormat) {
  return { path, category, purposes, sealed, format } as const;
}
