/** Equality of two hashes. Not constant-time on purpose: roots are public. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
