import { createHmac } from 'node:crypto';
import { AppError } from '@crm/http';

export const OTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type OtpAlgorithm = (typeof OTP_ALGORITHMS)[number];

export interface OtpParameters {
  /** RFC 6238 §1.2: HMAC-SHA-1 (RFC 4226), HMAC-SHA-256 or HMAC-SHA-512. */
  algorithm: OtpAlgorithm;
  /** RFC 4226 §5.3 requires at least 6; 8 is the most a 31-bit truncation carries comfortably. */
  digits: number;
}

export interface TotpParameters extends OtpParameters {
  /** Seconds per time step, X in RFC 6238 §4.1. */
  period: number;
  /** Unix time at which counting starts, T0 in RFC 6238 §4.1. */
  t0?: number;
}

/**
 * SHA-1 and 6 digits every 30 s: what every authenticator app supports (several ignore the `algorithm` parameter of
 * the URI). HMAC-SHA-1 stays sound for OTPs because HMAC does not rely on collision resistance (RFC 6194).
 */
export const DEFAULT_TOTP_PARAMETERS: Readonly<Required<TotpParameters>> = Object.freeze({ algorithm: 'SHA1', digits: 6, period: 30, t0: 0 });

const MAX_COUNTER = (1n << 64n) - 1n;
const HMAC_NAME: Readonly<Record<OtpAlgorithm, string>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

function assertDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new AppError('OTP_PARAMETERS_INVALID', 'internal', 'an OTP has 6 to 8 digits');
  }
}

/**
 * RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation to 31 bits, modulo 10^digits.
 * The counter is a BigInt so every 64-bit value works: TOTP counters need more than 32 bits after 2^32 × 30 s, and
 * JavaScript numbers lose precision above 2^53; a `Number`-based counter would silently produce wrong codes.
 */
export function hotp(secret: Uint8Array, counter: bigint, parameters: OtpParameters): string {
  assertDigits(parameters.digits);
  if (counter < 0n || counter > MAX_COUNTER) throw new AppError('OTP_COUNTER_OUT_OF_RANGE', 'internal', 'an HOTP counter is an unsigned 64-bit integer');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const digest = createHmac(HMAC_NAME[parameters.algorithm], secret).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary =
    ((digest[offset]! & 0x7f) << 24) | ((digest[offset + 1]! & 0xff) << 16) | ((digest[offset + 2]! & 0xff) << 8) | (digest[offset + 3]! & 0xff);
  return String(binary % 10 ** parameters.digits).padStart(parameters.digits, '0');
}

/** RFC 6238 §4.2: T = floor((now − T0) / X), on BigInts so times far past 2038 (and 2106) are exact. */
export function totpTimeStep(nowSeconds: number | bigint, period: number, t0 = 0): bigint {
  if (!Number.isInteger(period) || period <= 0) throw new AppError('OTP_PARAMETERS_INVALID', 'internal', 'a TOTP period is a positive whole number of seconds');
  const now = typeof nowSeconds === 'bigint' ? nowSeconds : BigInt(Math.floor(nowSeconds));
  const elapsed = now - BigInt(t0);
  const step = elapsed / BigInt(period);
  // BigInt division truncates towards zero; before T0 the floor is one lower.
  return elapsed < 0n && elapsed % BigInt(period) !== 0n ? step - 1n : step;
}

export function totpAt(secret: Uint8Array, nowSeconds: number | bigint, parameters: TotpParameters = DEFAULT_TOTP_PARAMETERS): string {
  return hotp(secret, totpTimeStep(nowSeconds, parameters.period, parameters.t0), parameters);
}
