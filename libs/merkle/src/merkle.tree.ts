import { assertSizes } from './consistency.proof.js';
import { HashStore } from './hash.store.js';
import { assertIndex } from './inclusion.proof.js';
import { merkleError } from './merkle.errors.js';
import { assertHash, emptyRoot, leafHash, nodeHash } from './merkle.hash.js';
import { consistencyPath, inclusionPath } from './merkle.paths.js';
import { isPowerOfTwo, isSize, splitPoint } from './tree.math.js';

// 4096 hashes = 128 KiB per leaf-level chunk. Level ℓ holds 2^-ℓ as many hashes, so its chunks are 2^ℓ times
// smaller: the partly filled last chunks of all levels then waste at most 2 × 128 KiB together.
const LEAF_HASHES_PER_CHUNK = 4096;

/**
 * An append-only RFC 6962 Merkle tree, as the audit log keeps it.
 *
 * It stores every leaf hash (never leaf data) and memoises the hash of every complete subtree: level ℓ entry j is
 * MTH(D[j·2^ℓ : (j+1)·2^ℓ]), written once, when its last leaf is appended. In RFC 6962's recursion every subtree
 * whose size is a power of two is one of these (left subtrees always are), so a root at any size is at most
 * log2(n) stored hashes folded together, and a proof at most log2(n) such roots: no leaf is rehashed.
 *
 * Memory: 32 bytes per leaf hash + 32 × (n/2 + n/4 + …) < 32 bytes per leaf for the memo, so under 64 bytes a leaf
 * (about 64 MB for 1,000,000 entries) plus at most 256 KiB of partly filled chunks.
 * Time: `append` costs one leaf hash and amortised one node hash; `root`/`rootAt` O(log n) node hashes;
 * `inclusionProof`/`consistencyProof` O(log² n) node hashes at worst, usually far fewer.
 *
 * Not safe for concurrent writers (there are none in Node's single thread, but a service must still append in log
 * order, e.g. from one Kafka partition).
 */
export class MerkleTree {
  /** levels[ℓ] holds the hashes of the complete, aligned subtrees of 2^ℓ leaves; levels[0] the leaf hashes. */
  private readonly levels: HashStore[] = [new HashStore(LEAF_HASHES_PER_CHUNK)];

  /** Rebuilds a tree from stored leaf hashes (e.g. the audit table at start-up) without the leaf data. */
  static fromLeafHashes(leafHashes: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree();
    for (const hash of leafHashes) tree.appendLeafHash(hash);
    return tree;
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends one entry and returns its leaf index. */
  append(leafData: Uint8Array): number {
    return this.appendLeafHash(leafHash(leafData));
  }

  /** Appends an already computed leaf hash, SHA-256(0x00 ‖ data), and returns its leaf index. */
  appendLeafHash(hash: Uint8Array): number {
    assertHash(hash, 'Leaf hash');
    const index = this.size;
    this.levels[0]!.push(hash);
    // Each trailing 1-bit of the index is a subtree this leaf completes: hash its two halves into the level above.
    let level = 0;
    let position = index;
    while (position % 2 === 1) {
      const below = this.levels[level]!;
      const parent = nodeHash(below.view(position - 1), below.view(position));
      level++;
      this.levels[level] ??= new HashStore(Math.max(1, Math.floor(LEAF_HASHES_PER_CHUNK / 2 ** level)));
      this.levels[level]!.push(parent);
      position = (position - 1) / 2;
    }
    return index;
  }

  /** The hash of leaf `index`, as stored. */
  leafHash(index: number): Uint8Array {
    assertIndex(index, this.size);
    return this.levels[0]!.view(index).slice();
  }

  /** MTH of the whole tree, RFC 6962 §2.1. */
  root(): Uint8Array {
    return this.rootAt(this.size);
  }

  /** MTH of the first `size` leaves: the root a signed tree head for that size carries. */
  rootAt(size: number): Uint8Array {
    if (!isSize(size) || size > this.size) {
      throw merkleError('MERKLE_TREE_SIZE_INVALID', `Tree size ${String(size)} is outside [0, ${this.size}]`);
    }
    if (size === 0) return emptyRoot();
    return this.subtreeHash(0, size).slice();
  }

  /** PATH(index, D[size]), RFC 6962 §2.1.1, for the tree of the first `size` leaves (default: all). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    assertSizes(0, size, this.size);
    assertIndex(index, size);
    return inclusionPath(index, size, this.subtreeHash).map((hash) => hash.slice());
  }

  /** PROOF(oldSize, D[newSize]), RFC 6962 §2.1.2, with the empty proof for oldSize 0 or oldSize = newSize. */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    assertSizes(oldSize, newSize, this.size);
    if (oldSize === 0 || oldSize === newSize) return [];
    return consistencyPath(oldSize, newSize, this.subtreeHash).map((hash) => hash.slice());
  }

  /**
   * MTH(D[start:end]). A complete, aligned subtree is read from the memo; any other range is split at k as in
   * RFC 6962 §2.1, and its left part is always complete, so this recurses only down the right edge: O(log n).
   * Returns views into the store when it can; public methods copy.
   */
  private readonly subtreeHash = (start: number, end: number): Uint8Array => {
    const width = end - start;
    if (isPowerOfTwo(width) && start % width === 0) {
      let level = 0;
      while (2 ** level < width) level++;
      return this.levels[level]!.view(start / width);
    }
    const k = splitPoint(width);
    return nodeHash(this.subtreeHash(start, start + k), this.subtreeHash(start + k, end));
  };
}
