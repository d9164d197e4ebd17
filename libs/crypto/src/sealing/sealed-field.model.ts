/** The allow-list of field algorithms; a value outside it is refused, never negotiated. */
export const SEAL_ALGORITHMS = ['AES_256_GCM'] as const;
export type SealAlgorithm = (typeof SEAL_ALGORITHMS)[number];

/**
 * A sealed PII field as it travels in events and read models. Same field names as the protobuf message
 * `crm.crypto.v1.SealedField`. The associated data is deliberately absent: it is recomputed from the binding on
 * open, so nothing stored next to the ciphertext can be edited to make a moved ciphertext verify.
 */
export interface SealedField {
  algorithm: SealAlgorithm;
  keyId: string;
  keyVersion: number;
  /** 96-bit random nonce. */
  nonce: Uint8Array;
  /** Ciphertext followed by the 128-bit GCM tag. */
  ciphertext: Uint8Array;
}

/** What a ciphertext is bound to; a change to any part makes it fail to open. */
export interface FieldBinding {
  subjectId: string;
  /** A stable, schema-level name such as `contacts.contact.email`; never a value. */
  fieldPath: string;
  keyId: string;
  keyVersion: number;
}
