// Index arithmetic on tree sizes. Sizes may exceed 2^31, so everything here uses `/ 2` and `% 2` rather than
// JavaScript's bit operators, which silently truncate their operands to 32 bits.

/** Sizes and indexes are non-negative safe integers (up to 2^53 − 1 leaves). */
export function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The k of RFC 6962 §2.1: the largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** n >> 1 without the 32-bit truncation. */
export function half(n: number): number {
  return Math.floor(n / 2);
}
