import { merkleError } from './merkle.errors.js';
import { bytesEqual, emptyRoot, isHash, nodeHash } from './merkle.hash.js';
import { consistencyPath } from './merkle.paths.js';
import { checkedLeafHashes, recomputingHasher } from './merkle.root.js';
import { half, isOdd, isPowerOfTwo, isSize } from './tree.math.js';

/**
 * The proof that the tree of the first `oldSize` leaves is a prefix of the tree of the first `newSize` leaves,
 * PROOF(m, D[n]) of RFC 6962 §2.1.2. RFC 6962 defines it for 0 < m < n; we extend it as RFC 9162 §2.1.4 does:
 * m = n and m = 0 have the empty proof (every tree extends itself and the empty tree).
 */
export function consistencyProof(oldSize: number, newSize: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkedLeafHashes(leafHashes);
  assertSizes(oldSize, newSize, leafHashes.length);
  if (oldSize === 0 || oldSize === newSize) return [];
  return consistencyPath(oldSize, newSize, recomputingHasher(leafHashes));
}

export function assertSizes(oldSize: number, newSize: number, available: number): void {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize || newSize > available) {
    throw merkleError('MERKLE_TREE_SIZE_INVALID', `Need 0 ≤ oldSize (${String(oldSize)}) ≤ newSize (${String(newSize)}) ≤ ${available}`);
  }
}

/**
 * Whether `proof` shows that the tree with root `newRoot` and `newSize` leaves extends (is append-only over) the
 * tree with root `oldRoot` and `oldSize` leaves. The algorithm of RFC 9162 §2.1.4.2: it rebuilds both roots at
 * once from the same proof, so a log cannot show one history to a monitor and another to an auditor.
 * Never throws: malformed input from an untrusted prover is just a proof that does not verify.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  // The empty tree's root is fixed (RFC 6962 §2.1), so we check it rather than accept any claimed old root;
  // every tree extends the empty one, so nothing about the new root can be learnt from an empty proof.
  if (oldSize === 0) return proof.length === 0 && bytesEqual(oldRoot, emptyRoot());
  // RFC 9162 §2.1.4.1: a tree is consistent with itself only through the empty proof and equal roots.
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  // Step 1: 0 < oldSize < newSize always needs at least one node.
  if (proof.length === 0) return false;
  // Step 2: when the old tree is a complete subtree of the new one, RFC 6962 omits its root from the proof (the
  // verifier holds it), so it is put back as the starting node.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  // Steps 3–4: fn, sn are the last indexes of each tree; skip the levels where the old tree's right edge is a
  // left-complete subtree, whose hash the proof starts from.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      // This node lies entirely beyond the old tree: it extends the new root only.
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

/** `verifyConsistency` for callers that prefer a stable error code to a boolean. */
export function assertConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): void {
  if (!verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)) {
    throw merkleError('MERKLE_PROOF_INVALID', `Consistency proof from size ${String(oldSize)} to ${String(newSize)} does not verify`);
  }
}
