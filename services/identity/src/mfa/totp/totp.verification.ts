import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@crm/errors';
import { DEFAULT_TOTP_PARAMETERS, hotp, totpTimeStep, type TotpParameters } from './otp.algorithm.js';

export interface TotpVerifyOptions extends Partial<TotpParameters> {
  /**
   * Steps accepted either side of the current one. RFC 6238 §5.2 recommends "at most one time step" of network
   * delay; a wider window multiplies a guesser's odds (2w + 1 valid codes per attempt).
   */
  window?: number;
}

export const MAX_TOTP_WINDOW = 2;

export type TotpVerification =
  /** `timeStep` is what the replay guard claims; `drift` is −window…+window (clock skew of the device). */
  { valid: true; timeStep: bigint; drift: number } | { valid: false };

/**
 * RFC 6238 §5.2 verification at `nowSeconds` (injected: no clock inside). Every candidate in the window is computed
 * (by otplib, through `hotp`) and compared in constant time, without stopping at a match, so timing tells nothing
 * about which step (if any) matched. Input that is not exactly `digits` ASCII digits is simply invalid (no
 * exception): it comes from a user. The caller must then claim the returned step with `TotpReplayGuard`: a valid
 * code may be used only once.
 *
 * The window is ours rather than otplib's `verify`, which returns at the first matching step (oldest first, so its
 * timing tells which step matched and an equal code in an older step wins over the current one) and whose
 * `afterTimeStep` replay check needs a per-user last step that we would have to keep and race on anyway: the replay
 * guard claims the step atomically in Redis, across instances.
 */
export function verifyTotp(secret: Uint8Array, code: string, nowSeconds: number | bigint, options: TotpVerifyOptions = {}): TotpVerification {
  const { window = 1, ...overrides } = options;
  const parameters = { ...DEFAULT_TOTP_PARAMETERS, ...overrides };
  if (!Number.isInteger(window) || window < 0 || window > MAX_TOTP_WINDOW) {
    throw new AppError('OTP_PARAMETERS_INVALID', 'internal', `a TOTP window is 0 to ${MAX_TOTP_WINDOW} steps`);
  }
  if (typeof code !== 'string' || code.length !== parameters.digits || !/^[0-9]+$/.test(code)) return { valid: false };

  const current = totpTimeStep(nowSeconds, parameters.period, parameters.t0);
  const given = Buffer.from(code, 'ascii');
  let match: { timeStep: bigint; drift: number } | undefined;
  // The current step first, so that in the one-in-a-million case of equal codes in two steps the exact one wins.
  for (const drift of driftOrder(window)) {
    const step = current + BigInt(drift);
    if (step < 0n) continue;
    const equal = timingSafeEqual(Buffer.from(hotp(secret, step, parameters), 'ascii'), given);
    if (equal && match === undefined) match = { timeStep: step, drift };
  }
  return match === undefined ? { valid: false } : { valid: true, ...match };
}

function driftOrder(window: number): number[] {
  const order = [0];
  for (let distance = 1; distance <= window; distance += 1) order.push(-distance, distance);
  return order;
}
