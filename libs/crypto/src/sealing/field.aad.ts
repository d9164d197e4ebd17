import { encodeLengthPrefixed, isWellFormedText } from '../aead/length-prefixed.js';
import { cryptoError } from '../crypto.errors.js';
import type { FieldBinding, SealAlgorithm } from './sealed-field.model.js';

/**
 * The version tag opens the associated data so that a future layout (v2) can never collide with this one, and it
 * names the algorithm so a ciphertext cannot be reinterpreted under another one.
 */
export const FIELD_AAD_VERSION = 'crm.crypto.v1.SealedField';

/** Ids and paths are short identifiers; a cap keeps an attacker-supplied binding from being a memory sink. */
const MAX_BINDING_TEXT_BYTES = 1024;

/**
 * AAD = LP(version) ‖ LP(algorithm) ‖ LP(subjectId) ‖ LP(fieldPath) ‖ LP(keyId) ‖ u32be(keyVersion),
 * where LP(s) = u32be(byteLength(utf8(s))) ‖ utf8(s). Strings are compared as exact code points: ids are opaque and
 * are not Unicode-normalised, so two spellings of an id are two subjects.
 */
export function fieldAad(binding: FieldBinding, algorithm: SealAlgorithm = 'AES_256_GCM'): Uint8Array {
  assertBinding(binding);
  return encodeLengthPrefixed([
    { text: FIELD_AAD_VERSION },
    { text: algorithm },
    { text: binding.subjectId },
    { text: binding.fieldPath },
    { text: binding.keyId },
    { u32: binding.keyVersion },
  ]);
}

function assertBinding(binding: FieldBinding): void {
  for (const part of ['subjectId', 'fieldPath', 'keyId'] as const) {
    const value = binding[part];
    if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > MAX_BINDING_TEXT_BYTES || !isWellFormedText(value)) {
      throw cryptoError('SEAL_BINDING_INVALID', `binding ${part} must be a non-empty, well-formed string of at most ${MAX_BINDING_TEXT_BYTES} bytes`);
    }
  }
  if (!Number.isInteger(binding.keyVersion) || binding.keyVersion < 1 || binding.keyVersion > 0xffff_ffff) {
    throw cryptoError('SEAL_BINDING_INVALID', 'binding keyVersion must be an integer in 1..2^32-1');
  }
}
