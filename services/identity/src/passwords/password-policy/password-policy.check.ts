import { foldForComparison, isWellFormedPassword, normalisePassword, passwordLength } from '../password.normalisation.js';
import { commonPasswordMatch } from './common-passwords.blocklist.js';
import type { PasswordPolicy } from './password-policy.config.js';
import { violation, type PasswordViolation } from './password-violation.model.js';
import { birthDateForms, emailWords, nameWords, type PasswordContext } from './personal-data.rules.js';

/**
 * NFKC can expand a code point up to 18-fold (U+FDFA); anything this far over the limit is refused before it is
 * normalised or compared, so a megabyte "password" costs nothing.
 */
const OVERSIZE_FACTOR = 4;

const UPPERCASE = /[\p{Lu}\p{Lt}]/u;
const LOWERCASE = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
/** Anything that is neither a letter nor a decimal digit: punctuation, symbols, spaces, emoji. */
const SPECIAL = /[^\p{L}\p{Nd}]/u;

/**
 * Every rule the password breaks (not only the first), so a form can show them all at once. Pure: no I/O, no clock.
 * The password is NFKC-normalised first (SP 800-63B §5.1.1.2), exactly as `PasswordHasher` does before hashing, so
 * what is checked is what is stored. Reuse needs the hashes and is async: see `checkPasswordHistory`.
 */
export function checkPassword(policy: PasswordPolicy, password: string, context: PasswordContext = {}): PasswordViolation[] {
  if (!isWellFormedPassword(password)) return [violation('PASSWORD_MALFORMED')];
  if (password.length > policy.maxLength * OVERSIZE_FACTOR) return [violation('PASSWORD_TOO_LONG', { maxLength: policy.maxLength })];

  const normalised = normalisePassword(password);
  const length = passwordLength(normalised);
  const violations: PasswordViolation[] = [];

  if (length < policy.minLength) violations.push(violation('PASSWORD_TOO_SHORT', { minLength: policy.minLength }));
  if (length > policy.maxLength) violations.push(violation('PASSWORD_TOO_LONG', { maxLength: policy.maxLength }));

  // Composition: configurable business policy; SP 800-63B §5.1.1.2 advises against it (see the docs).
  if (policy.requireUppercase && !UPPERCASE.test(normalised)) violations.push(violation('PASSWORD_NEEDS_UPPERCASE'));
  if (policy.requireLowercase && !LOWERCASE.test(normalised)) violations.push(violation('PASSWORD_NEEDS_LOWERCASE'));
  if (policy.requireDigit && !DIGIT.test(normalised)) violations.push(violation('PASSWORD_NEEDS_DIGIT'));
  if (policy.requireSpecial && !SPECIAL.test(normalised)) violations.push(violation('PASSWORD_NEEDS_SPECIAL'));

  // Context words: the details say which rule, never which word matched (that would echo personal data).
  const folded = foldForComparison(normalised);
  if (context.name !== undefined && nameWords(context.name).some((word) => folded.includes(word))) {
    violations.push(violation('PASSWORD_CONTAINS_NAME'));
  }
  if (context.email !== undefined && emailWords(context.email).some((word) => folded.includes(word))) {
    violations.push(violation('PASSWORD_CONTAINS_EMAIL'));
  }
  if (context.birthDate !== undefined && birthDateForms(context.birthDate).some((form) => folded.includes(form))) {
    violations.push(violation('PASSWORD_CONTAINS_BIRTH_DATE'));
  }

  const common = commonPasswordMatch(folded, policy.blockedWords);
  if (common !== undefined) violations.push(violation('PASSWORD_TOO_COMMON', { match: common }));

  return violations;
}

/** `PasswordHasher.verify` fits; injected so the policy stays free of the hashing library. */
export type PasswordVerifier = (hash: string, password: string) => Promise<boolean>;

export interface PasswordHistory {
  /** Newest first, the current password's hash included: the first `policy.historySize` are compared. */
  previousHashes: readonly string[];
  verify: PasswordVerifier;
}

/**
 * ASVS 5.0 and SP 800-63B do not require a history; it is business policy (`historySize`, default off). Verifying
 * costs one Argon2 run per remembered hash, so they run one after another, not all at once (memory), and only on a
 * password change by an authenticated user, never on login.
 */
export async function checkPasswordHistory(policy: PasswordPolicy, password: string, history: PasswordHistory): Promise<PasswordViolation[]> {
  if (policy.historySize === 0) return [];
  for (const hash of history.previousHashes.slice(0, policy.historySize)) {
    if (await history.verify(hash, normalisePassword(password))) return [violation('PASSWORD_REUSED', { historySize: policy.historySize })];
  }
  return [];
}

/** All rules for a new password, reuse included. Reuse is only checked when the password passes the others. */
export async function checkNewPassword(
  policy: PasswordPolicy,
  password: string,
  context: PasswordContext = {},
  history?: PasswordHistory,
): Promise<PasswordViolation[]> {
  const violations = checkPassword(policy, password, context);
  if (violations.length > 0 || history === undefined) return violations;
  return checkPasswordHistory(policy, password, history);
}

const DAY_MS = 86_400_000;

/** Expiry is off unless the business sets `maxAgeDays` (SP 800-63B §5.1.1.2 advises against periodic changes). */
export function isPasswordExpired(policy: PasswordPolicy, changedAt: Date, now: Date): boolean {
  if (policy.maxAgeDays === null) return false;
  return now.getTime() - changedAt.getTime() >= policy.maxAgeDays * DAY_MS;
}
