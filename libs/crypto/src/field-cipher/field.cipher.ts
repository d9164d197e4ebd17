import { cryptoError } from '../crypto.errors.js';
import { systemRandomBytes, type RandomBytes } from '../entropy.js';
import type { KeyStore } from '../keys/key-store.port.js';
import { assertAlgorithm, openField, sealField } from '../sealing/field.sealing.js';
import type { SealedField } from '../sealing/sealed-field.model.js';

/**
 * What services use to protect PII fields: they name the subject and the field, never a key. Sealing uses the
 * subject's current DEK; opening uses the exact key the field names, so old ciphertexts stay readable until the
 * subject is shredded, after which every open fails with KEY_SHREDDED.
 */
export class FieldCipher {
  readonly #keys: KeyStore;
  readonly #randomBytes: RandomBytes;

  constructor(keys: KeyStore, options: { randomBytes?: RandomBytes } = {}) {
    this.#keys = keys;
    this.#randomBytes = options.randomBytes ?? systemRandomBytes;
  }

  async seal(subjectId: string, fieldPath: string, plaintext: Uint8Array | string): Promise<SealedField> {
    const dek = await this.#keys.dekFor(subjectId);
    return sealField(dek.key, { subjectId, fieldPath, keyId: dek.keyId, keyVersion: dek.keyVersion }, plaintext, { randomBytes: this.#randomBytes });
  }

  /**
   * Makes sure the subjects' keys exist and are at hand before a batch seals their fields: with a caching key store
   * that is one key-vault transaction for the batch instead of one per subject.
   */
  async prepareSubjects(subjectIds: readonly string[]): Promise<void> {
    if (this.#keys.dekForMany !== undefined) await this.#keys.dekForMany(subjectIds);
  }

  async open(subjectId: string, fieldPath: string, sealed: SealedField): Promise<Uint8Array> {
    assertAlgorithm(sealed.algorithm);
    const dek = await this.#keys.dekById(sealed.keyId, sealed.keyVersion);
    // Same code as an authentication failure: which subject a foreign key belongs to is not the caller's business.
    if (dek.subjectId !== subjectId) throw cryptoError('SEALED_FIELD_INVALID', 'sealed field does not authenticate for this binding');
    return openField(dek.key, { subjectId, fieldPath, keyId: dek.keyId, keyVersion: dek.keyVersion }, sealed);
  }

  async openText(subjectId: string, fieldPath: string, sealed: SealedField): Promise<string> {
    return new TextDecoder('utf-8', { fatal: true }).decode(await this.open(subjectId, fieldPath, sealed));
  }
}
