import { assertConsistency, consistencyProof, emptyRoot, rootHash, verifyConsistency } from './index.js';
import { flipBit, leafHashesOf, pairsUpTo, seededRandom, withElement } from './merkle.fixtures.js';

const MAX = 40;
const hashes = leafHashesOf(MAX);
const roots = Array.from({ length: MAX + 1 }, (_, n) => rootHash({ leafHashes: hashes.slice(0, n) }));
/** Every (oldSize, newSize) with 0 ≤ oldSize ≤ newSize ≤ MAX, with its honest proof. */
const cases = pairsUpTo(MAX, true).map(([oldSize, newSize]) => ({ oldSize, newSize, proof: consistencyProof(oldSize, newSize, hashes) }));
/** Proper extensions, 0 < oldSize < newSize: the cases that carry a non-empty proof. */
const proper = cases.filter(({ oldSize, newSize }) => oldSize > 0 && oldSize < newSize);

describe('consistency proofs, RFC 6962 §2.1.2 / RFC 9162 §2.1.4.2', () => {
  test(`given every pair of sizes up to ${MAX}, when the honest proof is verified, then it verifies`, () => {
    const rejected = cases.filter(({ oldSize, newSize, proof }) => !verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, proof));
    expect(rejected.map(({ oldSize, newSize }) => `${oldSize}→${newSize}`)).toEqual([]);
    expect(proper.every(({ proof }) => proof.length > 0)).toBe(true);
  });

  test('given oldSize 0, then only the empty proof from the empty root verifies', () => {
    expect(consistencyProof(0, 7, hashes)).toEqual([]);
    expect(verifyConsistency(0, 7, emptyRoot(), roots[7]!, [])).toBe(true);
    expect(verifyConsistency(0, 0, emptyRoot(), emptyRoot(), [])).toBe(true);
    expect(verifyConsistency(0, 7, roots[3]!, roots[7]!, [])).toBe(false);
    expect(verifyConsistency(0, 7, emptyRoot(), roots[7]!, [roots[7]!])).toBe(false);
  });

  test('given oldSize equal to newSize, then the proof must be empty and the roots equal', () => {
    for (let size = 1; size <= MAX; size++) {
      expect(consistencyProof(size, size, hashes)).toEqual([]);
      expect(verifyConsistency(size, size, roots[size]!, roots[size]!, [])).toBe(true);
      expect(verifyConsistency(size, size, roots[size]!, roots[size]!, [roots[size]!])).toBe(false);
      expect(verifyConsistency(size, size, roots[size]!, roots[size - 1]!, [])).toBe(false);
    }
  });

  test('given an old size that is a power of two, then the proof omits the old root, and prepending it is rejected', () => {
    for (const oldSize of [1, 2, 4, 8, 16, 32]) {
      for (let newSize = oldSize + 1; newSize <= MAX; newSize++) {
        const proof = consistencyProof(oldSize, newSize, hashes);
        expect(proof.some((node) => Buffer.from(node).equals(roots[oldSize]!))).toBe(false);
        expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, proof)).toBe(true);
        expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, [roots[oldSize]!, ...proof])).toBe(false);
      }
    }
  });

  test('given a proof with one bit flipped in any element, then it is rejected', () => {
    const random = seededRandom(9162);
    const accepted: string[] = [];
    for (const { oldSize, newSize, proof } of proper) {
      proof.forEach((element, at) => {
        const forged = withElement(proof, at, flipBit(element, random(256)));
        if (verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, forged)) accepted.push(`${oldSize}→${newSize}[${at}]`);
      });
    }
    expect(accepted).toEqual([]);
  });

  test('given a flipped bit in either root, then the proof is rejected', () => {
    for (const { oldSize, newSize, proof } of proper) {
      expect(verifyConsistency(oldSize, newSize, flipBit(roots[oldSize]!, 0), roots[newSize]!, proof)).toBe(false);
      expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, flipBit(roots[newSize]!, 200), proof)).toBe(false);
    }
  });

  test('given a proof with an element added, removed or two elements swapped, then it is rejected', () => {
    const accepted: string[] = [];
    for (const { oldSize, newSize, proof } of proper) {
      const check = (forged: Uint8Array[], how: string) => {
        if (verifyConsistency(oldSize, newSize, roots[oldSize]!, roots[newSize]!, forged)) accepted.push(`${oldSize}→${newSize} ${how}`);
      };
      check([...proof, proof[0]!], 'extra last');
      check([roots[newSize]!, ...proof], 'extra first');
      check(proof.slice(1), 'missing first');
      check(proof.slice(0, -1), 'missing last');
      for (let at = 0; at + 1 < proof.length; at++) {
        if (!Buffer.from(proof[at]!).equals(proof[at + 1]!)) check(withElement(withElement(proof, at, proof[at + 1]!), at + 1, proof[at]!), `swap ${at}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  test('given an honest proof, when verified for other sizes (with the roots of those sizes), then it is rejected', () => {
    const accepted: string[] = [];
    for (const { oldSize, newSize, proof } of proper.filter(({ newSize }) => newSize <= 20)) {
      for (let otherOld = 1; otherOld <= 20; otherOld++) {
        for (let otherNew = otherOld + 1; otherNew <= 20; otherNew++) {
          if (otherOld === oldSize && otherNew === newSize) continue;
          const sameProof = Buffer.concat(consistencyProof(otherOld, otherNew, hashes)).equals(Buffer.concat(proof));
          if (!sameProof && verifyConsistency(otherOld, otherNew, roots[otherOld]!, roots[otherNew]!, proof)) {
            accepted.push(`${oldSize}→${newSize} as ${otherOld}→${otherNew}`);
          }
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  test('given roots of two different logs, then no proof makes them consistent', () => {
    const other = leafHashesOf(MAX, 'log-b');
    const otherRoots = Array.from({ length: MAX + 1 }, (_, n) => rootHash({ leafHashes: other.slice(0, n) }));
    for (const { oldSize, newSize, proof } of proper) {
      const otherProof = consistencyProof(oldSize, newSize, other);
      expect(verifyConsistency(oldSize, newSize, otherRoots[oldSize]!, roots[newSize]!, proof)).toBe(false);
      expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, otherRoots[newSize]!, otherProof)).toBe(false);
      expect(verifyConsistency(oldSize, newSize, otherRoots[oldSize]!, roots[newSize]!, otherProof)).toBe(false);
    }
  });

  test('given a log that rewrote its history (reordered, modified, inserted, deleted, truncated), then its honest proof from the old head is rejected', () => {
    const oldSize = 11;
    const extra = leafHashesOf(1, 'log-b')[0]!;
    const rewrites = {
      reordered: [hashes[1]!, hashes[0]!, ...hashes.slice(2)],
      modified: withElement(hashes, 4, extra),
      inserted: [...hashes.slice(0, 4), extra, ...hashes.slice(4)],
      deleted: [...hashes.slice(0, 4), ...hashes.slice(5)],
      truncated: [...hashes.slice(0, oldSize - 1), ...hashes.slice(oldSize)],
    };
    for (const rewritten of Object.values(rewrites)) {
      for (let newSize = oldSize; newSize <= rewritten.length; newSize++) {
        const proof = consistencyProof(oldSize, newSize, rewritten);
        const newRoot = rootHash({ leafHashes: rewritten.slice(0, newSize) });
        expect(verifyConsistency(oldSize, newSize, roots[oldSize]!, newRoot, proof)).toBe(false);
      }
    }
  });

  test('given sizes that are decreasing, negative or not integers, then the verifier returns false and the prover throws', () => {
    expect(verifyConsistency(5, 4, roots[5]!, roots[4]!, consistencyProof(4, 5, hashes))).toBe(false);
    expect(verifyConsistency(-1, 4, roots[0]!, roots[4]!, [])).toBe(false);
    expect(verifyConsistency(2.5, 4, roots[2]!, roots[4]!, consistencyProof(2, 4, hashes))).toBe(false);
    expect(verifyConsistency(3, 5, roots[3]!, roots[5]!, [])).toBe(false);
    for (const [oldSize, newSize] of [
      [5, 4],
      [-1, 3],
      [1, MAX + 1],
      [0.5, 2],
    ]) {
      expect(() => consistencyProof(oldSize!, newSize!, hashes)).toThrow(expect.objectContaining({ code: 'MERKLE_TREE_SIZE_INVALID', kind: 'invalid' }));
    }
  });

  test('given a failing proof, when asserted, then MERKLE_PROOF_INVALID; an honest one passes', () => {
    const proof = consistencyProof(3, 9, hashes);
    expect(() => assertConsistency(3, 9, roots[3]!, roots[9]!, proof)).not.toThrow();
    expect(() => assertConsistency(3, 9, roots[3]!, roots[8]!, proof)).toThrow(expect.objectContaining({ code: 'MERKLE_PROOF_INVALID' }));
  });
});
