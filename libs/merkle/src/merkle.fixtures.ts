// Test data for this lib's specs (not exported from index.ts). Deterministic: a seeded generator, never the clock,
// so a failing case is reproducible from its parameters.
import { leafHash } from './merkle.hash.js';

export function leavesOf(count: number, log = 'log-a'): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new TextEncoder().encode(`${log}/entry-${i}`));
}

export function leafHashesOf(count: number, log = 'log-a'): Uint8Array[] {
  return leavesOf(count, log).map(leafHash);
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[Math.floor(bit / 8)]! ^= 1 << (bit % 8);
  return copy;
}

/** The proof with element `at` replaced. */
export function withElement(proof: readonly Uint8Array[], at: number, element: Uint8Array): Uint8Array[] {
  return proof.map((hash, i) => (i === at ? element : hash));
}

/** mulberry32: a tiny seeded PRNG, good enough to pick test cases. */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

/** Every (a, b) with 0 ≤ a < b ≤ max, or 0 ≤ a ≤ b ≤ max when `inclusive`. */
export function pairsUpTo(max: number, inclusive: boolean): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let b = 0; b <= max; b++) for (let a = 0; a < b || (inclusive && a === b); a++) pairs.push([a, b]);
  return pairs;
}
