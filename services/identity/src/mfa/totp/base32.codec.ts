import { AppError } from '@crm/http';

/** RFC 4648 §6 alphabet: what authenticator apps expect in an `otpauth://` secret. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Unpadded: the Key Uri Format asks for the padding to be omitted. */
export function encodeBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

/**
 * Lenient about what people copy by hand (lower case, spaces, `=` padding), strict about anything else: an unknown
 * character is an error, not a skipped character, since a silently different secret never verifies.
 */
export function decodeBase32(text: string): Uint8Array {
  const cleaned = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of cleaned) {
    const value = ALPHABET.indexOf(character);
    if (value === -1) throw new AppError('TOTP_SECRET_INVALID', 'invalid', 'the secret is not base32 (RFC 4648)');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(bytes);
}
