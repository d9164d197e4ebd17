import { AppError } from '@crm/errors';
import { ScureBase32Plugin } from 'otplib';

/** otplib's base32 (RFC 4648 §6, the alphabet authenticator apps expect), backed by the audited `@scure/base`. */
const base32 = new ScureBase32Plugin();

/** Unpadded: the Key Uri Format asks for the padding to be omitted. */
export function encodeBase32(bytes: Uint8Array): string {
  return base32.encode(bytes, { padding: false });
}

/**
 * Lenient about what people copy by hand (lower case, spaces, `=` padding), strict about anything else: an unknown
 * character or a length no byte string encodes to is an error, not something skipped, since a silently different
 * secret never verifies.
 */
export function decodeBase32(text: string): Uint8Array {
  try {
    return base32.decode(text.replace(/[\s=]/g, ''));
  } catch {
    // Not chained as the cause: the library's message quotes the offending character, which is part of a secret.
    throw new AppError('TOTP_SECRET_INVALID', 'invalid', 'the secret is not base32 (RFC 4648)');
  }
}
