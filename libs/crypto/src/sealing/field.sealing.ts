import { AES_256_KEY_BYTES, aeadOpen, aeadSeal } from '../aead/aes-256-gcm.js';
import { isWellFormedText } from '../aead/length-prefixed.js';
import { cryptoError } from '../crypto.errors.js';
import { systemRandomBytes, type RandomBytes } from '../entropy.js';
import { fieldAad } from './field.aad.js';
import { SEAL_ALGORITHMS, type FieldBinding, type SealedField } from './sealed-field.model.js';

export interface SealOptions {
  randomBytes?: RandomBytes;
}

/** Encrypts one PII field under a subject's DEK, bound to the subject, the field and the key version. */
export function sealField(dek: Uint8Array, binding: FieldBinding, plaintext: Uint8Array | string, options: SealOptions = {}): SealedField {
  assertDek(dek);
  const aad = fieldAad(binding, 'AES_256_GCM');
  const box = aeadSeal(dek, aad, toBytes(plaintext), options.randomBytes ?? systemRandomBytes);
  return { algorithm: 'AES_256_GCM', keyId: binding.keyId, keyVersion: binding.keyVersion, nonce: box.nonce, ciphertext: box.ciphertext };
}

/**
 * Decrypts a sealed field for the binding the caller expects. Every authentication failure — a flipped bit, a
 * ciphertext copied to another subject or field, a different key version — is the same SEALED_FIELD_INVALID,
 * so the error gives an attacker no oracle about which part did not match.
 */
export function openField(dek: Uint8Array, binding: FieldBinding, sealed: SealedField): Uint8Array {
  assertDek(dek);
  assertAlgorithm(sealed.algorithm);
  if (sealed.keyId !== binding.keyId || sealed.keyVersion !== binding.keyVersion) {
    throw cryptoError('SEALED_FIELD_INVALID', 'sealed field does not authenticate for this binding');
  }
  const plaintext = aeadOpen(dek, fieldAad(binding, sealed.algorithm), sealed);
  if (plaintext === undefined) throw cryptoError('SEALED_FIELD_INVALID', 'sealed field does not authenticate for this binding');
  return plaintext;
}

export function assertAlgorithm(algorithm: string): asserts algorithm is SealedField['algorithm'] {
  if (!(SEAL_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw cryptoError('SEAL_ALGORITHM_UNSUPPORTED', `sealed field algorithm is not in the allow-list (${SEAL_ALGORITHMS.join(', ')})`);
  }
}

function assertDek(dek: Uint8Array): void {
  if (!(dek instanceof Uint8Array) || dek.length !== AES_256_KEY_BYTES) throw cryptoError('DEK_INVALID', 'a data-encryption key must be 32 bytes');
}

function toBytes(plaintext: Uint8Array | string): Uint8Array {
  if (typeof plaintext !== 'string') return plaintext;
  if (!isWellFormedText(plaintext)) throw cryptoError('SEAL_PLAINTEXT_INVALID', 'plaintext string contains lone surrogates');
  return new TextEncoder().encode(plaintext);
}
