import { dictionary } from '@zxcvbn-ts/language-common';
import { foldForComparison } from '../password.normalisation.js';

/**
 * SP 800-63B §5.1.1.2: compare new passwords against "passwords obtained from previous breach corpuses" and
 * "dictionary words"; ASVS 5.0 6.2.4 asks for at least the top 3 000. This is zxcvbn-ts's common-password list
 * (≈49 000 entries ranked by frequency in breach corpuses), folded like the password so case and accents do not
 * matter. Built on first use, then kept: it is immutable data, not I/O.
 */
let commonPasswords: ReadonlySet<string> | undefined;

export function commonPasswordSet(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common'].map(foldForComparison));
  return commonPasswords;
}

/**
 * Composition rules push people to decorate a common password (`Password1!`, `2024Summer!`), which every cracking
 * tool tries right after the plain word. So the letters-only core of the password is looked up too, when what was
 * stripped is short: at most this many digits and symbols before and after it.
 */
export const MAX_DECORATION_LENGTH = 6;
/** Cores shorter than this are not looked up, so a long random tail is not refused for its first letters. */
const MIN_CORE_LENGTH = 4;

export type CommonPasswordMatch = 'exact' | 'decorated' | 'deployment_word';

/** `folded` is the password after `foldForComparison`. */
export function commonPasswordMatch(folded: string, blockedWords: readonly string[]): CommonPasswordMatch | undefined {
  const common = commonPasswordSet();
  if (common.has(folded)) return 'exact';
  const core = folded.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (core.length >= MIN_CORE_LENGTH && folded.length - core.length <= MAX_DECORATION_LENGTH && common.has(core)) return 'decorated';
  if (blockedWords.some((word) => folded.includes(foldForComparison(word)))) return 'deployment_word';
  return undefined;
}
