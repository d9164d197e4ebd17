import { createHmac, hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { encodeLengthPrefixed } from '../aead/length-prefixed.js';
import { cryptoError } from '../crypto.errors.js';
import { systemRandomBytes, type RandomBytes } from '../entropy.js';
import { readOrCreateSecretFile } from '../secrets/secret-file.js';
import { nameTokens, normaliseEmail, normaliseExact, normalisePhone } from './blind-index.normalisers.js';

export type BlindIndexNormaliser = 'email' | 'phone' | 'name' | 'exact';

export interface BlindIndexSpec {
  normaliser: BlindIndexNormaliser;
  /** Output length in bytes, 4..32; default 16. */
  bytes?: number;
}

/**
 * 16 bytes (128 bits) by default. Blind indexes here serve exact-match lookups of high-entropy-ish values (e-mail,
 * phone, name tokens) over at most millions of rows: at 128 bits an accidental collision is ~2^-64 even across
 * 2^32 values, so a hit needs no decrypt-and-compare. Truncating far further (CipherSweet-style, ~16–32 bits)
 * would buy k-anonymity — every index value shared by many people — at the cost of post-filtering every search;
 * it only protects low-entropy fields, which should get a short `bytes` per index rather than a lower default.
 * Either way the equality pattern (which rows share a value) is visible to anyone who reads the read model.
 */
export const DEFAULT_BLIND_INDEX_BYTES = 16;
export const BLIND_INDEX_ROOT_KEY_BYTES = 32;
const KDF_INFO_VERSION = 'crm.crypto.v1.BlindIndexKey';

/**
 * Per-index key = HKDF-SHA256(root key, info = LP(version) ‖ LP(index name)) (RFC 5869). One key per index name
 * means the same e-mail in `contacts.email` and `identity.login_email` gives unrelated values, so two read
 * models cannot be joined on their indexes by someone who holds neither key. The root key is uniformly random, so
 * an empty salt is fine (RFC 5869 §3.1).
 */
export function deriveBlindIndexKey(rootKey: Uint8Array, indexName: string): Uint8Array {
  if (rootKey.length !== BLIND_INDEX_ROOT_KEY_BYTES) throw cryptoError('SECRET_FILE_INVALID', 'the blind-index root key must be 32 bytes');
  const info = encodeLengthPrefixed([{ text: KDF_INFO_VERSION }, { text: indexName }]);
  return new Uint8Array(hkdfSync('sha256', rootKey, new Uint8Array(0), info, 32));
}

/** HMAC-SHA256 of an already normalised value, truncated to `bytes` (hex). Truncated HMAC: RFC 2104 §5. */
export function computeBlindIndex(indexKey: Uint8Array, normalised: string, bytes: number = DEFAULT_BLIND_INDEX_BYTES): string {
  return createHmac('sha256', indexKey).update(normalised, 'utf8').digest().subarray(0, bytes).toString('hex');
}

/**
 * Keyed, normalised, truncated hashes of PII for exact-match search in read models (CipherSweet-style). Each index
 * name is bound to its normaliser at construction, so no two call sites can index one field differently and
 * silently stop matching each other.
 */
export class BlindIndexer<Name extends string> {
  readonly #indexes: ReadonlyMap<string, { key: Uint8Array; normaliser: BlindIndexNormaliser; bytes: number }>;

  constructor(rootKey: Uint8Array, indexes: Readonly<Record<Name, BlindIndexSpec | BlindIndexNormaliser>>) {
    const entries = Object.entries<BlindIndexSpec | BlindIndexNormaliser>(indexes).map(([name, spec]) => {
      const { normaliser, bytes = DEFAULT_BLIND_INDEX_BYTES } = typeof spec === 'string' ? { normaliser: spec } : spec;
      if (!Number.isInteger(bytes) || bytes < 4 || bytes > 32) throw new RangeError(`blind index ${name}: bytes must be 4..32`);
      return [name, { key: deriveBlindIndexKey(rootKey, name), normaliser, bytes }] as const;
    });
    this.#indexes = new Map(entries);
  }

  /**
   * Loads the root key from `<stateDir>/secrets/blind-index.key`, generating it at first use. It is not
   * per subject and is never rotated casually: rotating it means recomputing every index of every read model.
   */
  static async fromStateDir<Name extends string>(
    stateDir: string,
    indexes: Readonly<Record<Name, BlindIndexSpec | BlindIndexNormaliser>>,
    randomBytes: RandomBytes = systemRandomBytes,
  ): Promise<BlindIndexer<Name>> {
    const rootKey = await readOrCreateSecretFile(BlindIndexer.rootKeyPath(stateDir), BLIND_INDEX_ROOT_KEY_BYTES, randomBytes);
    return new BlindIndexer(rootKey, indexes);
  }

  static rootKeyPath(stateDir: string): string {
    return join(stateDir, 'secrets', 'blind-index.key');
  }

  /** One index value for a whole value; for a `name` index, the tokens joined by single spaces. */
  blindIndex(indexName: Name, value: string): string {
    const index = this.#index(indexName);
    return computeBlindIndex(index.key, normalise(index.normaliser, value), index.bytes);
  }

  /** One index value per name token, for "find contacts whose name contains this word". */
  blindIndexTokens(indexName: Name, name: string): string[] {
    const index = this.#index(indexName);
    if (index.normaliser !== 'name') throw cryptoError('BLIND_INDEX_KIND_MISMATCH', `blind index ${indexName} is not a name index`);
    return nameTokens(name).map((token) => computeBlindIndex(index.key, token, index.bytes));
  }

  #index(indexName: string) {
    const index = this.#indexes.get(indexName);
    if (index === undefined) throw cryptoError('BLIND_INDEX_UNKNOWN', `blind index ${indexName} is not configured`);
    return index;
  }
}

function normalise(normaliser: BlindIndexNormaliser, value: string): string {
  switch (normaliser) {
    case 'email':
      return normaliseEmail(value);
    case 'phone':
      return normalisePhone(value);
    case 'name':
      return nameTokens(value).join(' ');
    case 'exact':
      return normaliseExact(value);
    default: {
      const _exhaustive: never = normaliser;
      throw cryptoError('BLIND_INDEX_UNKNOWN', `unknown normaliser ${String(_exhaustive)}`);
    }
  }
}
