import { merkleError } from './merkle.errors.js';
import { bytesEqual, isHash, nodeHash } from './merkle.hash.js';
import { inclusionPath } from './merkle.paths.js';
import { checkedLeafHashes, recomputingHasher } from './merkle.root.js';
import { half, isOdd, isSize } from './tree.math.js';

/**
 * The audit path of leaf `index` in the tree over `leafHashes`, RFC 6962 §2.1.1: the sibling hashes from the leaf
 * up to the root. O(n) hashing; `MerkleTree.inclusionProof` answers from memoised subtrees instead.
 */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkedLeafHashes(leafHashes);
  assertIndex(index, leafHashes.length);
  return inclusionPath(index, leafHashes.length, recomputingHasher(leafHashes));
}

export function assertIndex(index: number, treeSize: number): void {
  if (!isSize(index) || index >= treeSize) {
    throw merkleError('MERKLE_INDEX_OUT_OF_RANGE', `Leaf index ${String(index)} is outside a tree of size ${treeSize}`);
  }
}

/**
 * Whether `proof` shows that the leaf with hash `leafHash` is at `index` in the tree of `treeSize` leaves whose
 * root is `root`. The iterative algorithm of RFC 9162 §2.1.3.2: it walks up from the leaf using the bits of the
 * index (fn) and of the last index (sn), and requires sn to reach exactly 0 when the proof runs out, which is
 * what rejects a proof with elements missing or extra (and so a proof replayed for another tree size).
 * Never throws: malformed input from an untrusted prover is just a proof that does not verify.
 */
export function verifyInclusion(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // fn is the last node of its level and has no right sibling there: climb to the level where it has one.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** `verifyInclusion` for callers that prefer a stable error code to a boolean. */
export function assertInclusion(leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): void {
  if (!verifyInclusion(leafHash, index, treeSize, proof, root)) {
    throw merkleError('MERKLE_PROOF_INVALID', `Inclusion proof for leaf ${String(index)} in a tree of size ${String(treeSize)} does not verify`);
  }
}
