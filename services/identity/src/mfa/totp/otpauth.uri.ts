import { AppError } from '@crm/errors';
import { decodeBase32, encodeBase32 } from './base32.codec.js';
import { DEFAULT_TOTP_PARAMETERS, OTP_ALGORITHMS, type OtpAlgorithm } from './otp.algorithm.js';

export interface OtpauthUriInput {
  /** The service name shown in the authenticator app, e.g. `Acme CRM`. */
  issuer: string;
  /** The account, usually the login e-mail. Personal data: the URI must not be logged or stored. */
  accountName: string;
  /** Raw bytes, or base32 as shown to the user. */
  secret: Uint8Array | string;
  algorithm?: OtpAlgorithm;
  digits?: number;
  period?: number;
}

/**
 * Google Authenticator's Key Uri Format: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`. The issuer appears
 * both as label prefix and parameter (older apps read one, newer the other); both parts are percent-encoded
 * (`%20`, not `+`); the spec forbids a colon in either, since the label would become ambiguous.
 * All parameters are written even when default, so an app that honours them and one that ignores them agree only
 * when the defaults are used (which is why SHA1/6/30 is the default).
 */
export function otpauthUri(input: OtpauthUriInput): string {
  const algorithm = input.algorithm ?? DEFAULT_TOTP_PARAMETERS.algorithm;
  const digits = input.digits ?? DEFAULT_TOTP_PARAMETERS.digits;
  const period = input.period ?? DEFAULT_TOTP_PARAMETERS.period;
  if (!OTP_ALGORITHMS.includes(algorithm) || !Number.isInteger(digits) || digits < 6 || digits > 8 || !Number.isInteger(period) || period < 1) {
    throw new AppError('OTPAUTH_URI_INVALID', 'invalid', 'algorithm must be SHA1, SHA256 or SHA512, digits 6 to 8, period a positive whole number');
  }
  for (const [name, value] of [
    ['issuer', input.issuer],
    ['accountName', input.accountName],
  ] as const) {
    if (value.trim() === '' || value.includes(':')) {
      throw new AppError('OTPAUTH_URI_INVALID', 'invalid', `${name} must be non-empty and must not contain a colon`);
    }
  }
  const secret = encodeBase32(typeof input.secret === 'string' ? decodeBase32(input.secret) : input.secret);
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  const query = [`secret=${secret}`, `issuer=${encodeURIComponent(input.issuer)}`, `algorithm=${algorithm}`, `digits=${digits}`, `period=${period}`].join('&');
  return `otpauth://totp/${label}?${query}`;
}
