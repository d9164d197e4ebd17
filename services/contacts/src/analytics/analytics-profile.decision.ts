import { createHmac } from 'node:crypto';
import { fieldsForPurpose, minimiseToPurpose, type ContactData } from '../contact-schema/index.js';
import { decideBasis, type ConsentState } from '../lawful-basis/basis.decision.js';

/** The compacted topic analysts read (docs/analytics.md); `crm.analytics.v1.*` is what their ACL allows. */
export const ANALYTICS_CONTACTS_TOPIC = 'crm.analytics.v1.contacts';

/** The subject's purchases in one currency (plain in the read model: amount and currency are not sealed). */
export interface PurchaseTotal {
  currency: string;
  count: number;
  totalCents: bigint;
}

/** What one analytics record says, before encoding (`crm.analytics.v1.ContactProfile`). */
export interface AnalyticsProfile {
  subject: string;
  countries: string[];
  preferenceCategories: string[];
  ageBand: string;
  postalPrefixes: string[];
  purchases: PurchaseTotal[];
}

/** What the analytics stream gets for a subject: their profile, or a tombstone under their pseudonym. */
export type AnalyticsRecord = { kind: 'profile'; profile: AnalyticsProfile } | { kind: 'tombstone'; subject: string };

/** What the analytics purpose's basis depends on: the subject's consent-states row for `analytics`. */
export interface AnalyticsBasisState extends ConsentState {
  /** Consent for analytics was given once and withdrawn since: no further records (the person said no). */
  readonly consentWithdrawn: boolean;
}

/** The subject's current state as the reactor found it. */
export type SubjectSnapshot =
  { kind: 'gone' } | { kind: 'present'; data: ContactData; restricted: boolean; purchases: readonly PurchaseTotal[]; basis: AnalyticsBasisState };

/**
 * The keyed pseudonym of a contact: HMAC-SHA256 of its id under the analytics key, lower-case hex. Stable per subject
 * (so records join), never the id, and without the key not even a guess of an id can be checked against it.
 */
export function pseudonymOf(analyticsKey: Buffer, contactId: string): string {
  return createHmac('sha256', analyticsKey).update(`crm.analytics.v1/contact/${contactId}`).digest('hex');
}

/** A birth date (YYYY-MM-DD) as a ten-year age band on `today` (`30-39`); `90+` from ninety; '' when unreadable. */
export function ageBandOf(birthDate: string, today: Date): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (match === null) return '';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const beforeBirthday = today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  const age = today.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
  if (age < 0) return '';
  if (age >= 90) return '90+';
  const low = Math.floor(age / 10) * 10;
  return `${low}-${low + 9}`;
}

/** A postal code's first two characters (letters upper-cased, spaces dropped): a region, not an address. */
export function postalPrefixOf(postalCode: string): string {
  return postalCode.replace(/\s+/g, '').slice(0, 2).toUpperCase();
}

/** Purchase totals need both the amount and the currency to be analytics fields. */
const ANALYTICS_SEES_PURCHASES = ['transactions[].amountCents', 'transactions[].currency'].every((path) =>
  fieldsForPurpose('analytics').some((spec) => spec.path === path),
);

const sortedUnique = (values: ReadonlyArray<string | undefined>): string[] =>
  [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))].sort();

/**
 * Pure: whether the analytics purpose's basis holds for the subject. Analytics rests on legitimate interests, so an
 * objection ends it (Art. 21(1), `decideBasis`); the platform also treats a withdrawn consent for analytics as the
 * person's no, and sends nothing more.
 */
export function analyticsBasisHolds(state: AnalyticsBasisState): boolean {
  return !state.consentWithdrawn && decideBasis('analytics', 'legitimate-interests', state) === 'allowed';
}

/**
 * Pure: the record the analytics stream gets for a subject. Gone (erased, shredded), restricted (Art. 18: only legal
 * claims may still process it) or without a basis: a tombstone,
 * so compacted copies drop the person. Otherwise only what the field catalogue lets the analytics purpose see
 * (`minimiseToPurpose`), generalised where it identifies: a birth date becomes an age band and a postal code its
 * prefix, and only if the catalogue lists them for analytics at all (today it does not).
 */
export function decideAnalyticsRecord(subject: string, snapshot: SubjectSnapshot, today: Date): AnalyticsRecord {
  if (snapshot.kind === 'gone' || snapshot.restricted || !analyticsBasisHolds(snapshot.basis)) return { kind: 'tombstone', subject };
  const { value: seen } = minimiseToPurpose(snapshot.data, 'analytics');
  const addresses = seen.addresses ?? [];
  return {
    kind: 'profile',
    profile: {
      subject,
      countries: sortedUnique(addresses.map((address) => address.country)),
      preferenceCategories: sortedUnique(seen.preferences?.categories ?? []),
      ageBand: seen.birthDate === undefined ? '' : ageBandOf(seen.birthDate, today),
      postalPrefixes: sortedUnique(addresses.map((address) => (address.postalCode === undefined ? undefined : postalPrefixOf(address.postalCode)))),
      purchases: ANALYTICS_SEES_PURCHASES ? [...snapshot.purchases].sort((a, b) => a.currency.localeCompare(b.currency)) : [],
    },
  };
}
