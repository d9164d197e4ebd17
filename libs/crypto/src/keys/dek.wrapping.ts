import { AES_256_KEY_BYTES, aeadOpen, aeadSeal, type AeadBox } from '../aead/aes-256-gcm.js';
import { encodeLengthPrefixed } from '../aead/length-prefixed.js';
import { cryptoError } from '../crypto.errors.js';
import type { RandomBytes } from '../entropy.js';

export const WRAPPED_DEK_AAD_VERSION = 'crm.crypto.v1.WrappedDek';

/** Where a wrapped DEK belongs. All of it is authenticated, so a row copied to another key id, version or epoch fails. */
export interface WrappedDekBinding {
  subjectId: string;
  keyId: string;
  keyVersion: number;
  kekEpoch: number;
}

/** AAD = LP(version) ‖ LP(subjectId) ‖ LP(keyId) ‖ u32be(keyVersion) ‖ u32be(kekEpoch). */
export function wrappedDekAad(binding: WrappedDekBinding): Uint8Array {
  return encodeLengthPrefixed([
    { text: WRAPPED_DEK_AAD_VERSION },
    { text: binding.subjectId },
    { text: binding.keyId },
    { u32: binding.keyVersion },
    { u32: binding.kekEpoch },
  ]);
}

export function wrapDek(kek: Uint8Array, binding: WrappedDekBinding, dek: Uint8Array, randomBytes: RandomBytes): AeadBox {
  if (dek.length !== AES_256_KEY_BYTES) throw cryptoError('DEK_INVALID', 'a data-encryption key must be 32 bytes');
  return aeadSeal(kek, wrappedDekAad(binding), dek, randomBytes);
}

export function unwrapDek(kek: Uint8Array, binding: WrappedDekBinding, wrapped: AeadBox): Uint8Array {
  const dek = aeadOpen(kek, wrappedDekAad(binding), wrapped);
  if (dek === undefined || dek.length !== AES_256_KEY_BYTES) {
    throw cryptoError('WRAPPED_KEY_INVALID', `wrapped DEK ${binding.keyId} v${binding.keyVersion} does not authenticate under KEK epoch ${binding.kekEpoch}`);
  }
  // A copy with its own 32-byte ArrayBuffer: the decipher's output is a slice of Node's shared 8 KiB buffer pool, and
  // a DEK kept in a key cache would pin that whole pool (and whatever else was written into it) for as long as it lives.
  return Uint8Array.from(dek);
}
