import { assertHash, emptyRoot, leafHash, nodeHash } from './merkle.hash.js';
import type { SubtreeHasher } from './merkle.paths.js';
import { splitPoint } from './tree.math.js';

/**
 * What `rootHash` is computed over. The input says whether it holds raw leaf data or leaf hashes: both are arrays
 * of bytes, and confusing them silently yields a valid-looking but wrong root.
 */
export type RootInput = { readonly leaves: readonly Uint8Array[] } | { readonly leafHashes: readonly Uint8Array[] };

/** MTH(D[n]), RFC 6962 §2.1. O(n) hashing; `MerkleTree.root()` is the incremental alternative. */
export function rootHash(input: RootInput): Uint8Array {
  const hashes = 'leaves' in input ? input.leaves.map(leafHash) : checkedLeafHashes(input.leafHashes);
  if (hashes.length === 0) return emptyRoot();
  return recomputingHasher(hashes)(0, hashes.length);
}

export function checkedLeafHashes(leafHashes: readonly Uint8Array[]): readonly Uint8Array[] {
  leafHashes.forEach((hash, i) => assertHash(hash, `leafHashes[${i}]`));
  return leafHashes;
}

/** MTH over a slice of leaf hashes by the recursion of RFC 6962 §2.1, with no memo: O(end − start) hashes. */
export function recomputingHasher(leafHashes: readonly Uint8Array[]): SubtreeHasher {
  const hashOf: SubtreeHasher = (start, end) => {
    // A copy: a returned root or proof must not alias the caller's array, nor the caller's edits alias ours.
    if (end - start === 1) return leafHashes[start]!.slice();
    const k = splitPoint(end - start);
    return nodeHash(hashOf(start, start + k), hashOf(start + k, end));
  };
  return hashOf;
}
