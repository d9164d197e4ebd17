import { hash as argon2Hash, verify as argon2Verify, type Options } from '@node-rs/argon2';
import { AppError } from '@crm/errors';
import { normaliseRecoveryCode } from './recovery-code.generator.js';

/**
 * Argon2id with a 16-byte random salt (ASVS 5.0 6.5.2: lookup secrets under 112 bits need a password hashing
 * function), at a low cost (4 MiB, 1 pass, a few ms): with 75 random bits there is no dictionary to slow down, so the
 * cost only has to make a stolen table useless. Low cost matters because a login with a recovery code compares
 * against every stored hash (10 by default).
 */
const RECOVERY_CODE_ARGON2: Options = { algorithm: 2, memoryCost: 4_096, timeCost: 1, parallelism: 1, outputLen: 32 };

/** Hashes the normalised code, so `7K3QZ M9D2X A0P4H` later matches what was issued as `7k3qz-m9d2x-a0p4h`. */
export async function hashRecoveryCode(code: string): Promise<string> {
  const canonical = normaliseRecoveryCode(code);
  if (canonical === undefined) throw new AppError('RECOVERY_CODE_INVALID', 'invalid', 'not a recovery code');
  return argon2Hash(canonical, RECOVERY_CODE_ARGON2);
}

/**
 * The index of the stored hash the code matches, or −1 (also for input that cannot be a code, and for malformed
 * hashes). Every hash is verified even after a match, so the time taken does not reveal the position.
 *
 * Single use is the caller's job, and it must be atomic: delete exactly the matched hash in the same statement that
 * accepts it (e.g. `DELETE … WHERE user_id = $1 AND code_hash = $2` and accept only if one row was deleted, or an
 * optimistic-concurrency event append). Otherwise two concurrent logins with one code both succeed.
 */
export async function matchRecoveryCode(code: string, hashes: readonly string[]): Promise<number> {
  const canonical = normaliseRecoveryCode(code);
  if (canonical === undefined) return -1;
  let found = -1;
  for (const [index, hash] of hashes.entries()) {
    const matches = await argon2Verify(hash, canonical).catch(() => false);
    if (matches && found === -1) found = index;
  }
  return found;
}
