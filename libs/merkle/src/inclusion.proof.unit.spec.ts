import { assertInclusion, inclusionProof, rootHash, verifyInclusion } from './index.js';
import { flipBit, leafHashesOf, leavesOf, pairsUpTo, seededRandom, withElement } from './merkle.fixtures.js';

const MAX = 40;
const hashes = leafHashesOf(MAX);
const roots = Array.from({ length: MAX + 1 }, (_, n) => rootHash({ leafHashes: hashes.slice(0, n) }));
/** Every (index, size) with 0 ≤ index < size ≤ MAX, with its honest proof. */
const cases = pairsUpTo(MAX, false).map(([index, size]) => ({ index, size, proof: inclusionProof(index, hashes.slice(0, size)) }));
/** The quadratic cross-checks (every proof against every other index or size) stay on trees up to 20 leaves. */
const smallCases = cases.filter(({ size }) => size <= 20);

describe('inclusion proofs, RFC 6962 §2.1.1 / RFC 9162 §2.1.3.2', () => {
  test(`given every index of every tree up to ${MAX} leaves, when its honest proof is verified, then it verifies`, () => {
    for (const { index, size, proof } of cases) {
      expect(verifyInclusion(hashes[index]!, index, size, proof, roots[size]!)).toBe(true);
      expect(() => assertInclusion(hashes[index]!, index, size, proof, roots[size]!)).not.toThrow();
    }
  });

  test('given a proof with one bit flipped in any element, then it is rejected', () => {
    const random = seededRandom(6962);
    for (const { index, size, proof } of cases) {
      proof.forEach((element, at) => {
        const forged = withElement(proof, at, flipBit(element, random(256)));
        expect(verifyInclusion(hashes[index]!, index, size, forged, roots[size]!)).toBe(false);
      });
    }
  });

  test('given one proof, when each of its 256 × length bits is flipped in turn, then every forgery is rejected', () => {
    const index = 6;
    const size = 13;
    const proof = inclusionProof(index, hashes.slice(0, size));
    proof.forEach((element, at) => {
      for (let bit = 0; bit < 256; bit++) {
        expect(verifyInclusion(hashes[index]!, index, size, withElement(proof, at, flipBit(element, bit)), roots[size]!)).toBe(false);
      }
    });
  });

  test('given a flipped bit in the leaf hash or the root, then the proof is rejected', () => {
    for (const { index, size, proof } of cases) {
      expect(verifyInclusion(flipBit(hashes[index]!, 7), index, size, proof, roots[size]!)).toBe(false);
      expect(verifyInclusion(hashes[index]!, index, size, proof, flipBit(roots[size]!, 255))).toBe(false);
    }
  });

  test('given an honest proof, when it is verified at any other index of the same tree, then it is rejected', () => {
    const accepted: string[] = [];
    for (const { index, size, proof } of smallCases) {
      for (let other = 0; other < size; other++) {
        if (other !== index && verifyInclusion(hashes[index]!, other, size, proof, roots[size]!)) accepted.push(`${index}→${other}/${size}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  test('given an honest proof, when it is verified against the signed head (size and root) of another tree size, then it is rejected', () => {
    const accepted: string[] = [];
    for (const { index, size, proof } of smallCases) {
      for (let other = index + 1; other <= MAX; other++) {
        if (other !== size && verifyInclusion(hashes[index]!, index, other, proof, roots[other]!)) accepted.push(`${index}@${size}→${other}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  test('given an index at or beyond the tree size, or a size or index that is not a safe integer, then it is rejected', () => {
    const proof = inclusionProof(3, hashes.slice(0, 4));
    expect(verifyInclusion(hashes[3]!, 3, 4, proof, roots[4]!)).toBe(true);
    expect(verifyInclusion(hashes[3]!, 4, 4, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[3]!, 7, 4, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[3]!, -1, 4, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[3]!, 3.5, 4, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[3]!, 3, Number.NaN, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[3]!, 3, 2 ** 53, proof, roots[4]!)).toBe(false);
    expect(verifyInclusion(hashes[0]!, 0, 0, [], roots[0]!)).toBe(false);
  });

  test('given a proof with an element added, removed or two elements swapped, then it is rejected', () => {
    for (const { index, size, proof } of cases) {
      const leaf = hashes[index]!;
      const root = roots[size]!;
      expect(verifyInclusion(leaf, index, size, [...proof, proof[0] ?? leaf], root)).toBe(false);
      expect(verifyInclusion(leaf, index, size, [leaf, ...proof], root)).toBe(false);
      if (proof.length === 0) continue;
      expect(verifyInclusion(leaf, index, size, proof.slice(1), root)).toBe(false);
      expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
      for (let at = 0; at + 1 < proof.length; at++) {
        const swapped = withElement(withElement(proof, at, proof[at + 1]!), at + 1, proof[at]!);
        expect(verifyInclusion(leaf, index, size, swapped, root)).toBe(false);
      }
    }
  });

  test('given the proof of one leaf, when presented for another leaf (at either index), then it is rejected', () => {
    const accepted: string[] = [];
    for (const { index, size, proof } of smallCases) {
      for (let other = 0; other < size; other++) {
        if (other === index) continue;
        if (verifyInclusion(hashes[other]!, index, size, proof, roots[size]!)) accepted.push(`leaf ${other} at ${index}/${size}`);
        if (verifyInclusion(hashes[other]!, other, size, proof, roots[size]!)) accepted.push(`leaf ${other} with proof of ${index}/${size}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  test('given malformed elements (not 32 bytes) or a malformed root, then the verifier returns false instead of throwing', () => {
    const proof = inclusionProof(2, hashes.slice(0, 5));
    expect(verifyInclusion(hashes[2]!, 2, 5, [...proof.slice(0, -1), proof.at(-1)!.subarray(0, 31)], roots[5]!)).toBe(false);
    expect(verifyInclusion(hashes[2]!, 2, 5, proof, roots[5]!.subarray(1))).toBe(false);
    expect(verifyInclusion(leavesOf(3)[2]!, 2, 5, proof, roots[5]!)).toBe(false);
    expect(verifyInclusion(hashes[2]!, 2, 5, 'not a proof' as unknown as Uint8Array[], roots[5]!)).toBe(false);
  });

  test('given a tampered leaf list, then its root differs, and honest proofs of the original do not verify against it', () => {
    const size = 12;
    const original = hashes.slice(0, size);
    const extra = leafHashesOf(1, 'log-b')[0]!;
    const tampered = {
      reordered: [original[1]!, original[0]!, ...original.slice(2)],
      modified: withElement(original, 5, extra),
      inserted: [...original.slice(0, 5), extra, ...original.slice(5, size - 1)],
      deleted: [...original.slice(0, 5), ...original.slice(6), extra],
      truncated: original.slice(0, size - 1),
      extended: [...original, extra],
    };
    for (const forged of Object.values(tampered)) {
      const forgedRoot = rootHash({ leafHashes: forged });
      expect(forgedRoot).not.toEqual(roots[size]);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, original);
        expect(verifyInclusion(original[index]!, index, forged.length, proof, forgedRoot)).toBe(false);
      }
    }
  });

  test('given a failing proof, when asserted, then MERKLE_PROOF_INVALID', () => {
    expect(() => assertInclusion(hashes[0]!, 0, 2, [], roots[2]!)).toThrow(expect.objectContaining({ code: 'MERKLE_PROOF_INVALID', kind: 'invalid' }));
  });

  test('given an index outside the leaves, when a proof is requested, then MERKLE_INDEX_OUT_OF_RANGE', () => {
    for (const index of [3, 4, -1, 0.5]) {
      expect(() => inclusionProof(index, hashes.slice(0, 3))).toThrow(expect.objectContaining({ code: 'MERKLE_INDEX_OUT_OF_RANGE' }));
    }
    expect(() => inclusionProof(0, [])).toThrow(expect.objectContaining({ code: 'MERKLE_INDEX_OUT_OF_RANGE' }));
  });
});
