/** An unwrapped data-encryption key of one subject. Held in memory only; never logged, never persisted unwrapped. */
export interface DataKey {
  subjectId: string;
  keyId: string;
  keyVersion: number;
  /** 32 bytes. */
  key: Uint8Array;
}

export interface ShredResult {
  subjectId: string;
  /** The key versions destroyed, in ascending order; empty when the subject never had a key. */
  keyVersions: number[];
  /** When the erasure was first recorded; a repeated shred reports the original time. */
  erasedAt: Date;
  reason: ShredReason;
  /** True when the subject was already in the erasure ledger (the call changed nothing). */
  alreadyShredded: boolean;
}

export interface KekRotation {
  /** The epoch every live DEK is now wrapped under. */
  epoch: number;
  /** Epochs retired and whose KEKs were destroyed by this rotation. */
  retiredEpochs: number[];
  /** Number of wrapped DEKs rewritten. */
  rewrapped: number;
  /** When the old KEKs were destroyed (maps to `crm.keys.v1.KekRotated.rotated_at`). */
  rotatedAt: Date;
}

/**
 * Where per-subject DEKs live. The default is `PostgresKeyStore` (the key vault database); a KMS or Vault
 * implementation replaces it behind this interface. Implementations must make `dekFor` race-free (one key per
 * subject however many callers ask at once), make `shred` final and idempotent, and record every erasure in a
 * ledger outside the restorable data.
 */
export interface KeyStore {
  /** The subject's current DEK, created on first use. Throws KEY_SHREDDED for an erased subject. */
  dekFor(subjectId: string): Promise<DataKey>;
  /** `dekFor` for many subjects at once (optional: callers fall back to one `dekFor` each). */
  dekForMany?(subjectIds: readonly string[]): Promise<Map<string, DataKey>>;
  /** A specific DEK, for reading. Throws KEY_SHREDDED (recorded erasure) or KEY_NOT_FOUND (never existed). */
  dekById(keyId: string, keyVersion: number): Promise<DataKey>;
  /** Destroys every DEK version of the subject and appends to the erasure ledger. `reason` is a code. */
  shred(subjectId: string, reason: ShredReason): Promise<ShredResult>;
  isShredded(subjectId: string): Promise<boolean>;
  /** Re-wraps every live DEK under a new KEK epoch, then destroys the old KEKs. */
  rotateKek(): Promise<KekRotation>;
}

/** Anything that holds unwrapped DEKs in memory and must forget a subject when it is shredded. */
export interface KeyCache {
  evict(subjectId: string): void;
}

/**
 * Why a subject's keys were destroyed: the values of the protobuf enum `crm.keys.v1.ShredReason` without its prefix.
 * A closed list, never prose: the ledger is append-only, so PII typed into a free-text reason could never be erased.
 */
export const SHRED_REASONS = ['ERASURE_REQUEST', 'RETENTION_EXPIRED', 'ADMINISTRATIVE'] as const;
export type ShredReason = (typeof SHRED_REASONS)[number];

export function isShredReason(value: unknown): value is ShredReason {
  return typeof value === 'string' && (SHRED_REASONS as readonly string[]).includes(value);
}
