import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Options } from '@node-rs/argon2';
import { ConfigError } from '@crm/config';
import { AppError } from '@crm/errors';
import { isWellFormedPassword, normalisePassword } from '../password.normalisation.js';
import { OWASP_ARGON2ID_SETTINGS, passwordHashingSettingsSchema, type PasswordHashingSettings } from './password-hashing.config.js';

/**
 * The library declares its enums as `const enum`, which do not exist at run time (and cannot be used under
 * `isolatedModules`); these are their values: Argon2id (RFC 9106's recommended variant) and version 0x13.
 */
const ARGON2ID = 2;
const VERSION_0X13 = 1;
const OUTPUT_BYTES = 32;

/**
 * Argon2id password hashing (ASVS 5.0 11.4.2, SP 800-63B §5.1.1.2 "memory-hard"). Passwords are NFKC-normalised
 * before hashing and verifying, exactly as the policy checks them, and are never truncated: Argon2 pre-hashes
 * the whole input with BLAKE2b, so `hash(p)` and `hash(p + 'x')` differ for any length.
 * Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carry their own parameters, so old
 * hashes keep verifying after a parameter change and `needsRehash` tells the login flow to upgrade them.
 */
export class PasswordHasher {
  readonly settings: Readonly<PasswordHashingSettings>;
  readonly #options: Options;
  readonly #dummyHash: Promise<string>;

  constructor(settings: PasswordHashingSettings = OWASP_ARGON2ID_SETTINGS) {
    const parsed = passwordHashingSettingsSchema.safeParse(settings);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `password hashing ${issue.path.join('.')}: ${issue.message}`));
    this.settings = Object.freeze(parsed.data);
    this.#options = { ...this.settings, outputLen: OUTPUT_BYTES, algorithm: ARGON2ID, version: VERSION_0X13 };
    // Computed now, with the live parameters, so the first login of an unknown user does not pay for it (a slower
    // first answer would itself tell an attacker the account does not exist). The input is random and discarded.
    this.#dummyHash = argon2Hash(randomBytes(32), this.#options);
    this.#dummyHash.catch(() => undefined);
  }

  /** Refuses only a string that is not well-formed Unicode (`PASSWORD_MALFORMED`); the policy decides the rest. */
  async hash(password: string): Promise<string> {
    if (!isWellFormedPassword(password)) {
      throw new AppError('PASSWORD_MALFORMED', 'invalid', 'the password is not well-formed Unicode');
    }
    return argon2Hash(normalisePassword(password), this.#options);
  }

  /**
   * Constant-time comparison happens inside the library. A malformed or foreign hash (a truncated column, bcrypt,
   * garbage) is `false`, never an exception: a login must fail closed, not answer 500 for one account only.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    if (!isWellFormedPassword(password)) return false;
    try {
      return await argon2Verify(hash, normalisePassword(password));
    } catch {
      return false;
    }
  }

  /** True when the hash was made with other parameters (or is not an Argon2id hash at all); rehash after a login. */
  needsRehash(hash: string): boolean {
    try {
      const used = parseOptions(hash);
      return (
        used.algorithm !== ARGON2ID ||
        used.version !== VERSION_0X13 ||
        used.memoryCost !== this.settings.memoryCost ||
        used.timeCost !== this.settings.timeCost ||
        used.parallelism !== this.settings.parallelism ||
        used.outputLen !== OUTPUT_BYTES
      );
    } catch {
      return true;
    }
  }

  /**
   * For a login whose account does not exist: the same Argon2 work as a real verification, always `false`. Without
   * it an unknown e-mail answers in microseconds and a known one in ~40 ms, which enumerates accounts (ASVS 5.0
   * 6.3.8, OWASP Authentication Cheat Sheet "authentication responses").
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    const dummy = await this.#dummyHash;
    await this.verify(dummy, password);
    return false;
  }
}
