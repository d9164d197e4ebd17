import { AppError } from '@crm/errors';
import { generateSync, type HashAlgorithm } from 'otplib';

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

/**
 * The largest counter otplib accepts: its `MAX_COUNTER` guardrail is `Number.MAX_SAFE_INTEGER` and cannot be raised
 * (guardrails must be safe integers). otplib still hashes the full 8-byte big-endian counter of RFC 4226 §5.1, so
 * counters above 2^32 (30 s steps after the year 6053) are exact; 2^53 steps of 30 s are 8.5 billion years away.
 */
export const MAX_OTP_COUNTER = BigInt(Number.MAX_SAFE_INTEGER);

/** The Key Uri Format spells algorithms in upper case, otplib in lower case. */
const OTPLIB_ALGORITHM: Readonly<Record<OtpAlgorithm, HashAlgorithm>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

function assertDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new AppError('OTP_PARAMETERS_INVALID', 'internal', 'an OTP has 6 to 8 digits');
  }
}

/**
 * RFC 4226 HOTP, computed by otplib (HMAC over the 8-byte counter, dynamic truncation, modulo 10^digits).
 * The counter is a BigInt here so that the time step of `totpTimeStep` passes through unchanged; the range is checked
 * before otplib sees it, so an out-of-range counter is our error code rather than a library exception.
 */
export function hotp(secret: Uint8Array, counter: bigint, parameters: OtpParameters): string {
  assertDigits(parameters.digits);
  if (counter < 0n || counter > MAX_OTP_COUNTER) {
    throw new AppError('OTP_COUNTER_OUT_OF_RANGE', 'internal', `an HOTP counter is a whole number from 0 to ${MAX_OTP_COUNTER}`);
  }
  return generateSync({
    strategy: 'hotp',
    secret,
    counter: Number(counter),
    algorithm: OTPLIB_ALGORITHM[parameters.algorithm],
    digits: parameters.digits,
  });
}

/**
 * RFC 6238 §4.2: T = floor((now − T0) / X), on BigInts so times far past 2038 (and 2106) are exact. The verifier needs
 * the step itself (the centre of its window, and what the replay guard claims), which otplib does not expose.
 */
export function totpTimeStep(nowSeconds: number | bigint, period: number, t0 = 0): bigint {
  if (!Number.isInteger(period) || period <= 0) throw new AppError('OTP_PARAMETERS_INVALID', 'internal', 'a TOTP period is a positive whole number of seconds');
  const now = typeof nowSeconds === 'bigint' ? nowSeconds : BigInt(Math.floor(nowSeconds));
  const elapsed = now - BigInt(t0);
  const step = elapsed / BigInt(period);
  // BigInt division truncates towards zero; before T0 the floor is one lower.
  return elapsed < 0n && elapsed % BigInt(period) !== 0n ? step - 1n : step;
}

/**
 * RFC 6238 TOTP at `nowSeconds`, computed by otplib's TOTP (its own time step, then HOTP). The RFC vectors check that
 * it agrees with `hotp(secret, totpTimeStep(…))`, the path `verifyTotp` takes. otplib counts whole seconds as a
 * `number`, so the time must lie between T0 and 2^53 − 1 seconds (285 million years).
 */
export function totpAt(secret: Uint8Array, nowSeconds: number | bigint, parameters: TotpParameters = DEFAULT_TOTP_PARAMETERS): string {
  assertDigits(parameters.digits);
  const t0 = parameters.t0 ?? 0;
  if (totpTimeStep(nowSeconds, parameters.period, t0) < 0n || nowSeconds < 0 || nowSeconds > Number.MAX_SAFE_INTEGER) {
    throw new AppError('OTP_TIME_OUT_OF_RANGE', 'internal', 'a TOTP time lies between T0 and 2^53 − 1 seconds');
  }
  return generateSync({
    strategy: 'totp',
    secret,
    epoch: Math.floor(Number(nowSeconds)),
    period: parameters.period,
    t0,
    algorithm: OTPLIB_ALGORITHM[parameters.algorithm],
    digits: parameters.digits,
  });
}
