import { splitPoint } from './tree.math.js';

/**
 * MTH(D[start:end]) for 0 ≤ start < end ≤ n. The proof algorithms below only ever ask for subtree hashes, so the
 * stateless functions (which recompute from leaf hashes) and `MerkleTree` (which memoises complete subtrees) share
 * one implementation of RFC 6962 and differ only in how a subtree hash is obtained.
 */
export type SubtreeHasher = (start: number, end: number) => Uint8Array;

/**
 * PATH(m, D[n]), RFC 6962 §2.1.1, for 0 ≤ m < n. The recursion is unrolled: we descend from the root, recording
 * at each level the hash of the subtree we do not enter, then reverse, because PATH lists siblings leaf-first.
 */
export function inclusionPath(index: number, treeSize: number, hashOf: SubtreeHasher): Uint8Array[] {
  const siblings: Uint8Array[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      siblings.push(hashOf(start + k, end));
      end = start + k;
    } else {
      siblings.push(hashOf(start, start + k));
      start += k;
    }
  }
  return siblings.reverse();
}

/**
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true), RFC 6962 §2.1.2, for 0 < m ≤ n. Unrolled like `inclusionPath`.
 * The flag b records whether the subtree we are in is still the whole old tree: if so its hash is the old root
 * the verifier already holds and is omitted; once we step right (m > k) it is not, and must be sent.
 */
export function consistencyPath(oldSize: number, newSize: number, hashOf: SubtreeHasher): Uint8Array[] {
  const nodes: Uint8Array[] = [];
  let m = oldSize;
  let start = 0;
  let end = newSize;
  let wholeOldTree = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      nodes.push(hashOf(start + k, end));
      end = start + k;
    } else {
      nodes.push(hashOf(start, start + k));
      start += k;
      m -= k;
      wholeOldTree = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; SUBPROOF(m, D[m], true) = {}.
  if (!wholeOldTree) nodes.push(hashOf(start, end));
  return nodes.reverse();
}
