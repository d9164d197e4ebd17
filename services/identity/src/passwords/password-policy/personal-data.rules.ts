import { AppError } from '@crm/errors';
import { foldForComparison } from '../password.normalisation.js';

/**
 * SP 800-63B §5.1.1.2 lists "context-specific words, such as the name of the service, the username, and derivatives
 * thereof" among the values a new password is compared with; ASVS 5.0 6.2.11 asks for a documented list of such
 * words. Attackers who target one person try their name, e-mail and birthday first, so these are refused *anywhere*
 * in the password, not only as the whole password.
 */

/**
 * Tokens shorter than this are ignored: forbidding `li` or `jo` everywhere would refuse a large share of all
 * passwords for those users while adding almost nothing (two letters are guessed in the first few hundred tries anyway).
 */
export const MIN_CONTEXT_TOKEN_LENGTH = 3;

/** The user's data a password is compared with. All optional: a check can only use what the caller knows. */
export interface PasswordContext {
  /** The full name, or its parts (given name, family name, display name). */
  name?: string | readonly string[];
  email?: string;
  /** ISO 8601 calendar date, `YYYY-MM-DD`. */
  birthDate?: string;
}

function tokensOf(value: string): string[] {
  return foldForComparison(value)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length >= MIN_CONTEXT_TOKEN_LENGTH);
}

/** Every token of every name part: `Zoë Müller-Lüdenscheidt` → `zoe`, `muller`, `ludenscheidt`. */
export function nameWords(name: string | readonly string[]): string[] {
  const parts = typeof name === 'string' ? [name] : name;
  return [...new Set(parts.flatMap(tokensOf))];
}

/**
 * The local part as a whole (`j.doe_84`) and its pieces (`doe`): people reuse either. The domain is not compared:
 * it is shared by every colleague, so it is a context word of the deployment (`blockedWords`), not of the person.
 */
export function emailWords(email: string): string[] {
  const at = email.lastIndexOf('@');
  const local = foldForComparison(at === -1 ? email : email.slice(0, at));
  const words = local.length >= MIN_CONTEXT_TOKEN_LENGTH ? [local, ...tokensOf(local)] : tokensOf(local);
  return [...new Set(words)];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEPARATORS = ['', '-', '.', '/', ' ', '_'] as const;

/**
 * The ways people write a birth date into a password: year first (ISO, `YYYYMMDD`), day first (`DDMMYYYY`,
 * `DD.MM.YYYY`, European) and month first (`MMDDYYYY`, US); four- and two-digit years; zero-padded or not; with any
 * common separator or none.
 * Decision: the year alone (`1984`) and day + month alone (`0412`) are *not* refused. A year is shared by ~1 % of
 * users and four digits are a handful of guesses whatever they mean, so refusing them would mainly reject harmless
 * passwords (`Orwell1984…`); refusing is reserved for forms of at least 6 characters, which identify the date.
 */
export function birthDateForms(birthDate: string): string[] {
  const match = ISO_DATE.exec(birthDate);
  if (match === null) {
    // A programming error in the caller (the stored format is ISO); the value itself stays out of the message.
    throw new AppError('PASSWORD_CONTEXT_INVALID', 'internal', 'birthDate must be an ISO 8601 date (YYYY-MM-DD)');
  }
  const [, yyyy, mm, dd] = match as unknown as [string, string, string, string];
  const years = [yyyy, yyyy.slice(2)];
  const dayMonths = new Map([
    [`${dd}|${mm}`, [dd, mm]],
    [`${Number(dd)}|${Number(mm)}`, [String(Number(dd)), String(Number(mm))]],
  ]);
  const forms = new Set<string>();
  for (const year of years) {
    for (const [day, month] of dayMonths.values() as Iterable<[string, string]>) {
      for (const separator of SEPARATORS) {
        forms.add([year, month, day].join(separator));
        forms.add([day, month, year].join(separator));
        forms.add([month, day, year].join(separator));
      }
    }
  }
  return [...forms].filter((form) => form.length >= 6);
}
