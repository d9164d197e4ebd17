import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MerkleTree, consistencyProof, fromHex, inclusionProof, leafHash, nodeHash, rootHash, toHex, verifyConsistency, verifyInclusion } from './index.js';
import { pairsUpTo } from './merkle.fixtures.js';

// Published vectors, copied verbatim into fixtures/: RFC 6962 §2.1 hashing over the leaves of the Certificate
// Transparency reference test data (the file's "source" field says so).
const vectorsPath = join(import.meta.dirname, 'fixtures', 'rfc6962-merkle.json');
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
  source: string;
  leaves_hex: string[];
  roots: Array<{ tree_size: number; root_hex: string }>;
  inclusion_proofs: Array<{ leaf_index: number; tree_size: number; audit_path_hex: string[] }>;
};

const leaves = vectors.leaves_hex.map(fromHex);
const leafHashes = leaves.map(leafHash);
const rootsBySize = new Map(vectors.roots.map(({ tree_size, root_hex }) => [tree_size, fromHex(root_hex)]));
const tree = new MerkleTree();
for (const leaf of leaves) tree.append(leaf);

describe('published RFC 6962 vectors', () => {
  test('given the vectors file, then it holds roots for every size 0…8 and an inclusion path for every (index, size)', () => {
    expect(Object.keys(vectors).sort()).toEqual(['inclusion_proofs', 'leaves_hex', 'roots', 'source']);
    expect([...rootsBySize.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(vectors.inclusion_proofs.map((p) => [p.leaf_index, p.tree_size])).toEqual(expect.arrayContaining(pairsUpTo(8, false)));
  });

  test.each(vectors.roots)('given the first $tree_size leaves, when hashed, then the root is the published one', ({ tree_size, root_hex }) => {
    expect(toHex(rootHash({ leaves: leaves.slice(0, tree_size) }))).toBe(root_hex);
    expect(toHex(rootHash({ leafHashes: leafHashes.slice(0, tree_size) }))).toBe(root_hex);
    expect(toHex(tree.rootAt(tree_size))).toBe(root_hex);
  });

  test.each(vectors.inclusion_proofs)(
    'given leaf $leaf_index of a tree of size $tree_size, then the generated path is the published one and it verifies',
    ({ leaf_index, tree_size, audit_path_hex }) => {
      expect(inclusionProof(leaf_index, leafHashes.slice(0, tree_size)).map(toHex)).toEqual(audit_path_hex);
      expect(tree.inclusionProof(leaf_index, tree_size).map(toHex)).toEqual(audit_path_hex);
      const root = rootsBySize.get(tree_size)!;
      expect(verifyInclusion(leafHashes[leaf_index]!, leaf_index, tree_size, audit_path_hex.map(fromHex), root)).toBe(true);
    },
  );

  test('given every pair of published roots, when a consistency proof is generated, then it verifies against them', () => {
    for (const [oldSize, newSize] of pairsUpTo(8, true)) {
      const proof = consistencyProof(oldSize, newSize, leafHashes);
      expect(tree.consistencyProof(oldSize, newSize)).toEqual(proof);
      expect(verifyConsistency(oldSize, newSize, rootsBySize.get(oldSize)!, rootsBySize.get(newSize)!, proof)).toBe(true);
    }
  });
});

// The worked example of RFC 6962 §2.1.3, over the first seven vector leaves d0…d6:
//            hash
//           /    \
//          k      l
//         / \    / \
//        g   h  i   j
//       / \ / \ / \ |
//       a b c d e f d6
describe('RFC 6962 §2.1.3 examples', () => {
  const seven = leafHashes.slice(0, 7);
  const [a, b, c, d, e, f, j] = seven as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const g = nodeHash(a, b);
  const h = nodeHash(c, d);
  const i = nodeHash(e, f);
  const k = nodeHash(g, h);
  const l = nodeHash(i, j);

  test('given the example tree, then its root is k·l and the published root of size 7', () => {
    expect(nodeHash(k, l)).toEqual(rootsBySize.get(7));
  });

  test.each([
    [0, [b, h, l]],
    [3, [c, g, l]],
    [4, [f, j, k]],
    [6, [i, k]],
  ] as const)('given d%i, then its audit path is the one in the RFC', (index, path) => {
    expect(inclusionProof(index, seven)).toEqual(path);
  });

  test.each([
    [3, [c, d, g, l]],
    [4, [l]],
    [6, [i, j, k]],
  ] as const)('given the tree of %i leaves, then its consistency proof with the tree of 7 is the one in the RFC', (oldSize, proof) => {
    expect(consistencyProof(oldSize, 7, seven)).toEqual(proof);
  });
});
