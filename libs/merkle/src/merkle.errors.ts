import { defineErrors, type ErrorTable } from '@crm/errors';

/**
 * Every failure of this lib has one of these stable codes. Kinds and retriability are fixed per code here, not at
 * the throw site. None is retriable: the inputs are fixed bytes and sizes, so repeating the call cannot succeed.
 *
 * Verifiers (`verifyInclusion`, `verifyConsistency`) never throw: a proof from an untrusted party that is malformed
 * is simply a proof that does not verify. Only proof *generation* and the `assert*` helpers throw.
 */
export const MERKLE_ERRORS = {
  /** A proof failed verification (thrown by `assertInclusion` / `assertConsistency` only). */
  MERKLE_PROOF_INVALID: { kind: 'invalid', retriable: false },
  /** A tree size that is negative, not a safe integer, larger than the tree, or an old size above the new one. */
  MERKLE_TREE_SIZE_INVALID: { kind: 'invalid', retriable: false },
  /** A leaf index outside [0, treeSize). */
  MERKLE_INDEX_OUT_OF_RANGE: { kind: 'invalid', retriable: false },
  /** A leaf or node hash that is not 32 bytes (SHA-256): most likely raw leaf data passed where a hash belongs. */
  MERKLE_HASH_INVALID: { kind: 'invalid', retriable: false },
  /** A hex string with an odd length or a non-hex character. */
  MERKLE_HEX_INVALID: { kind: 'invalid', retriable: false },
} as const satisfies ErrorTable;

export type MerkleErrorCode = keyof typeof MERKLE_ERRORS;

/** Messages carry sizes and indexes at most, never leaf data: audit leaves may hold personal data. */
export const merkleError = defineErrors(MERKLE_ERRORS);

export const isMerkleError = merkleError.is;
