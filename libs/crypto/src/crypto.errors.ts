import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * Every failure of this lib has one of these stable codes. Kinds and retriability are fixed per code here, not at
 * the throw site, so the same code always maps to the same HTTP status and retry decision.
 */
export const CRYPTO_ERRORS = {
  /** Authentication failed: tampered, truncated, or bound to another subject, field or key version. */
  SEALED_FIELD_INVALID: { kind: 'invalid', retriable: false },
  /** An algorithm outside the allow-list (today only AES_256_GCM); never negotiated down. */
  SEAL_ALGORITHM_UNSUPPORTED: { kind: 'invalid', retriable: false },
  /** The binding (subject id, field path, key id, key version) is empty, too long or not well-formed Unicode. */
  SEAL_BINDING_INVALID: { kind: 'invalid', retriable: false },
  /** A plaintext string with lone surrogates: UTF-8 would silently replace them, so the round trip would lie. */
  SEAL_PLAINTEXT_INVALID: { kind: 'invalid', retriable: false },
  /** A data-encryption key that is not 256 bits: a programming error, never user input. */
  DEK_INVALID: { kind: 'internal', retriable: false },
  KEY_NOT_FOUND: { kind: 'not_found', retriable: false },
  /** The subject was erased: its keys are destroyed and recorded in the erasure ledger. Final. */
  KEY_SHREDDED: { kind: 'gone', retriable: false },
  /** The KEK of an epoch is missing or destroyed (a stale wrapped DEK, or a misconfigured key directory). */
  KEK_UNAVAILABLE: { kind: 'internal', retriable: false },
  /** A wrapped DEK failed authentication under its KEK: the key vault row was altered or moved. */
  WRAPPED_KEY_INVALID: { kind: 'internal', retriable: false },
  KEK_ROTATION_IN_PROGRESS: { kind: 'conflict', retriable: true },
  KEK_EPOCH_CONFLICT: { kind: 'internal', retriable: false },
  /** Erasure reasons are codes, not prose: the ledger is append-only, so PII written there could never be erased. */
  ERASURE_REASON_INVALID: { kind: 'invalid', retriable: false },
  SECRET_FILE_INVALID: { kind: 'internal', retriable: false },
  /** A key file readable by group or others: refused like ssh refuses a world-readable private key. */
  SECRET_FILE_INSECURE: { kind: 'internal', retriable: false },
  BLIND_INDEX_UNKNOWN: { kind: 'internal', retriable: false },
  BLIND_INDEX_KIND_MISMATCH: { kind: 'internal', retriable: false },
  BLIND_INDEX_VALUE_INVALID: { kind: 'invalid', retriable: false },
  SHRED_ANNOUNCEMENT_INVALID: { kind: 'invalid', retriable: false },
  KEK_ROTATION_ANNOUNCEMENT_INVALID: { kind: 'invalid', retriable: false },
} as const satisfies ErrorTable;

export type CryptoErrorCode = keyof typeof CRYPTO_ERRORS;

/**
 * Messages are written for developers and are PII-free and key-free by construction: callers pass ids at most,
 * never plaintext, ciphertext or key bytes (they end up in logs and HTTP bodies).
 */
export const cryptoError = defineErrors(CRYPTO_ERRORS);

export const isCryptoError = cryptoError.is;
