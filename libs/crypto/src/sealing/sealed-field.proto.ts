import { create, fromBinary, toBinary, SealAlgorithm, SealedFieldSchema, type SealedField as SealedFieldMessage } from '@crm/contracts';
import { cryptoError } from '../crypto.errors.js';
import type { SealedField } from './sealed-field.model.js';

/** To the `crm.crypto.v1.SealedField` message carried inside event payloads. */
export function sealedFieldToProto(sealed: SealedField): SealedFieldMessage {
  return create(SealedFieldSchema, {
    algorithm: SealAlgorithm.AES_256_GCM,
    keyId: sealed.keyId,
    keyVersion: sealed.keyVersion,
    nonce: sealed.nonce,
    ciphertext: sealed.ciphertext,
  });
}

/** From the wire; an algorithm outside the allow-list is refused before any key is looked up. */
export function sealedFieldFromProto(message: SealedFieldMessage): SealedField {
  if (message.algorithm !== SealAlgorithm.AES_256_GCM) {
    throw cryptoError('SEAL_ALGORITHM_UNSUPPORTED', 'sealed field algorithm is not in the allow-list (AES_256_GCM)');
  }
  return { algorithm: 'AES_256_GCM', keyId: message.keyId, keyVersion: message.keyVersion, nonce: message.nonce, ciphertext: message.ciphertext };
}

/** A sealed field as bytes for a read-model column (`bytea`): the same protobuf message as on the wire. */
export function sealedFieldToBytes(sealed: SealedField): Buffer {
  return Buffer.from(toBinary(SealedFieldSchema, sealedFieldToProto(sealed)));
}

export function sealedFieldFromBytes(bytes: Uint8Array): SealedField {
  return sealedFieldFromProto(fromBinary(SealedFieldSchema, bytes));
}
