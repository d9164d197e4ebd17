import type { Channel } from './contact-fields.catalogue.js';

/** A contact's own data after validation: trimmed, NFC-normalised, every member optional (minimisation). */
export interface ContactData {
  name?: { given?: string; family?: string };
  emails?: string[];
  phones?: string[];
  addresses?: Address[];
  /** ISO 8601 calendar date, YYYY-MM-DD. */
  birthDate?: string;
  preferences?: { channels?: Channel[]; categories?: string[] };
  notes?: string[];
  /** Special category (GDPR Art. 9): present only where the deployment enables it. */
  healthNotes?: string;
}

export interface Address {
  street?: string;
  postalCode?: string;
  city?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
}

/**
 * A rectification: each rectifiable unit (see `RECTIFIABLE_UNITS`) that is present replaces the current value, and
 * `null` removes it (Art. 16 rectification includes deleting what is wrong). Lists are replaced as a whole.
 */
export interface ContactPatch {
  name?: { given?: string | null; family?: string | null };
  emails?: string[] | null;
  phones?: string[] | null;
  addresses?: Address[] | null;
  birthDate?: string | null;
  preferences?: { channels?: Channel[] | null; categories?: string[] | null };
  notes?: string[] | null;
  healthNotes?: string | null;
}

export interface TransactionData {
  description: string;
  /** Minor units of `currency`; negative for a refund. */
  amountCents: bigint;
  /** ISO 4217 alpha-3, upper case. */
  currency: string;
  /** ISO 8601 UTC instant. */
  occurredAt: string;
}
