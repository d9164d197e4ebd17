import { createHash } from 'node:crypto';
import { merkleError } from './merkle.errors.js';

/** SHA-256, the hash RFC 6962 §2.1 fixes for the log. */
export const HASH_SIZE = 32;

// RFC 6962 §2.1: distinct prefixes for leaves and interior nodes give second-preimage resistance. Without them an
// interior node (left ‖ right, 64 bytes) could be presented as a leaf, and a forged tree would share the root.
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  // A plain Uint8Array (not a Buffer subclass) so hashes compare equal however they were produced.
  return new Uint8Array(hash.digest());
}

/** MTH({d}) = SHA-256(0x00 ‖ d), RFC 6962 §2.1. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** SHA-256(0x01 ‖ left ‖ right), RFC 6962 §2.1. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256() of the empty string, RFC 6962 §2.1. A fresh copy on each call: callers may mutate it. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === HASH_SIZE;
}

export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!isHash(value)) throw merkleError('MERKLE_HASH_INVALID', `${what} must be a ${HASH_SIZE}-byte SHA-256 hash`);
}

/** Byte equality. Not constant-time on purpose: roots and proofs are public, there is no secret to leak. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
