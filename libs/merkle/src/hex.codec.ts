import { merkleError } from './merkle.errors.js';

/** Lower-case hex, the form CT logs and our signed tree heads publish hashes in. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Strict decoding. `Buffer.from(s, 'hex')` stops silently at the first bad character, so a truncated or
 * mistyped root would decode to a *different, shorter* hash instead of failing; we refuse it instead.
 */
export function fromHex(hex: string): Uint8Array {
  if (!HEX.test(hex)) throw merkleError('MERKLE_HEX_INVALID', `Not an even-length hex string (length ${hex.length})`);
  // Copied out of Buffer's shared allocation pool so the caller owns exactly these bytes.
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
