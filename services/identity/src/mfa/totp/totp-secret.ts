import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { encodeBase32 } from './base32.codec.js';

/** Injected where tests need to control it (same shape as `@crm/crypto`'s); production uses the CSPRNG. */
export type RandomBytes = (size: number) => Uint8Array;
export const systemRandomBytes: RandomBytes = (size) => nodeRandomBytes(size);

/** RFC 4226 §4 R6 recommends a 160-bit shared secret; RFC 6238 §5.1 asks for a strong random source. */
export const TOTP_SECRET_BYTES = 20;

export interface TotpSecret {
  bytes: Uint8Array;
  /** RFC 4648 base32, unpadded: what the user types if the QR code cannot be scanned. */
  base32: string;
}

/**
 * A fresh secret for enrolment. It is a credential: store it sealed with an AEAD (docs/identity-security.md), never log it, and show
 * the base32 form only on the enrolment screen.
 */
export function generateTotpSecret(randomBytes: RandomBytes = systemRandomBytes): TotpSecret {
  const bytes = Uint8Array.from(randomBytes(TOTP_SECRET_BYTES));
  if (bytes.length !== TOTP_SECRET_BYTES) throw new RangeError(`expected ${TOTP_SECRET_BYTES} random bytes`);
  return { bytes, base32: encodeBase32(bytes) };
}
