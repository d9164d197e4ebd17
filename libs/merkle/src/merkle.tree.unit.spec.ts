import { MerkleTree, consistencyProof, inclusionProof, leafHash, rootHash, verifyConsistency, verifyInclusion } from './index.js';
import { leafHashesOf, leavesOf, seededRandom } from './merkle.fixtures.js';

describe('MerkleTree (incremental, append-only)', () => {
  test('given random append sequences, then every root, inclusion proof and consistency proof equals the stateless one', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const leaves = Array.from({ length: 20 + random(60) }, (_, i) => new TextEncoder().encode(`${seed}/${i}/${random(1e9)}`.repeat(random(4))));
      const hashes = leaves.map(leafHash);
      const tree = new MerkleTree();
      leaves.forEach((leaf, i) => {
        expect(tree.append(leaf)).toBe(i);
        expect(tree.size).toBe(i + 1);
        expect(tree.root()).toEqual(rootHash({ leaves: leaves.slice(0, i + 1) }));
      });
      for (let probe = 0; probe < 50; probe++) {
        const newSize = 1 + random(leaves.length);
        const oldSize = random(newSize + 1);
        const index = random(newSize);
        expect(tree.rootAt(oldSize)).toEqual(rootHash({ leafHashes: hashes.slice(0, oldSize) }));
        expect(tree.inclusionProof(index, newSize)).toEqual(inclusionProof(index, hashes.slice(0, newSize)));
        expect(tree.consistencyProof(oldSize, newSize)).toEqual(consistencyProof(oldSize, newSize, hashes));
        expect(verifyInclusion(tree.leafHash(index), index, newSize, tree.inclusionProof(index, newSize), tree.rootAt(newSize))).toBe(true);
        expect(verifyConsistency(oldSize, newSize, tree.rootAt(oldSize), tree.rootAt(newSize), tree.consistencyProof(oldSize, newSize))).toBe(true);
      }
    }
  });

  test('given no size argument, then proofs are for the whole tree', () => {
    const hashes = leafHashesOf(9);
    const tree = MerkleTree.fromLeafHashes(hashes);
    expect(tree.inclusionProof(4)).toEqual(inclusionProof(4, hashes));
    expect(tree.consistencyProof(5)).toEqual(consistencyProof(5, 9, hashes));
  });

  test('given an empty tree, then its root is the empty root and it has no proofs', () => {
    const tree = new MerkleTree();
    expect(tree.size).toBe(0);
    expect(tree.root()).toEqual(rootHash({ leaves: [] }));
    expect(tree.consistencyProof(0)).toEqual([]);
    expect(() => tree.inclusionProof(0)).toThrow(expect.objectContaining({ code: 'MERKLE_INDEX_OUT_OF_RANGE' }));
  });

  test('given more leaves than one storage chunk (2^16 + 5), when rebuilt from leaf hashes, then the root equals the stateless one', () => {
    const hashes = leafHashesOf(2 ** 16 + 5);
    const tree = MerkleTree.fromLeafHashes(hashes);
    expect(tree.root()).toEqual(rootHash({ leafHashes: hashes }));
    expect(tree.rootAt(40_000)).toEqual(rootHash({ leafHashes: hashes.slice(0, 40_000) }));
    expect(tree.inclusionProof(65_537)).toEqual(inclusionProof(65_537, hashes));
    expect(tree.consistencyProof(4097, 65_539)).toEqual(consistencyProof(4097, 65_539, hashes));
  });

  test('given returned hashes, when the caller mutates them, then the tree is unaffected', () => {
    const tree = MerkleTree.fromLeafHashes(leafHashesOf(8));
    const before = tree.root();
    tree.root()[0]! ^= 0xff;
    tree.rootAt(4)[0]! ^= 0xff;
    tree.leafHash(0)[0]! ^= 0xff;
    tree.inclusionProof(0).forEach((hash) => (hash[0]! ^= 0xff));
    expect(tree.root()).toEqual(before);
    expect(tree.leafHash(0)).toEqual(leafHashesOf(1)[0]);
  });

  test('given sizes and indexes outside the tree, then stable error codes', () => {
    const tree = MerkleTree.fromLeafHashes(leafHashesOf(5));
    const code = (code: string) => expect.objectContaining({ code });
    expect(() => tree.rootAt(6)).toThrow(code('MERKLE_TREE_SIZE_INVALID'));
    expect(() => tree.rootAt(-1)).toThrow(code('MERKLE_TREE_SIZE_INVALID'));
    expect(() => tree.inclusionProof(0, 6)).toThrow(code('MERKLE_TREE_SIZE_INVALID'));
    expect(() => tree.inclusionProof(3, 3)).toThrow(code('MERKLE_INDEX_OUT_OF_RANGE'));
    expect(() => tree.leafHash(5)).toThrow(code('MERKLE_INDEX_OUT_OF_RANGE'));
    expect(() => tree.consistencyProof(4, 3)).toThrow(code('MERKLE_TREE_SIZE_INVALID'));
    expect(() => tree.consistencyProof(2, 6)).toThrow(code('MERKLE_TREE_SIZE_INVALID'));
    expect(() => tree.appendLeafHash(leavesOf(1)[0]!)).toThrow(code('MERKLE_HASH_INVALID'));
    expect(tree.size).toBe(5);
  });
});
