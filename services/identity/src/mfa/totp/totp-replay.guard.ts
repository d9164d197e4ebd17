import { AppError } from '@crm/errors';
import type { Redis } from '@crm/redis';
import { assertUserId } from '../redis-key.js';
import { DEFAULT_TOTP_PARAMETERS } from './otp.algorithm.js';
import { MAX_TOTP_WINDOW } from './totp.verification.js';

export const TOTP_USED_KEY_PREFIX = 'crm:identity:totp-used:';

export interface TotpReplayGuardOptions {
  /** Seconds per step; must match the verifier's. */
  period?: number;
  /** Steps accepted either side; must match the verifier's. */
  window?: number;
}

/**
 * RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the successful validation has
 * been issued for the first OTP". A code observed over a shoulder, by malware or a phishing proxy stays valid for
 * the whole window (90 s by default); claiming its time step once makes the second use fail.
 * `SET NX` is atomic, so of two concurrent logins with the same code exactly one wins, across all instances.
 */
export class TotpReplayGuard {
  readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    options: TotpReplayGuardOptions = {},
  ) {
    const period = options.period ?? DEFAULT_TOTP_PARAMETERS.period;
    const window = options.window ?? 1;
    if (!Number.isInteger(period) || period < 1 || !Number.isInteger(window) || window < 0 || window > MAX_TOTP_WINDOW) {
      throw new AppError('OTP_PARAMETERS_INVALID', 'internal', `the replay guard needs a positive period and a window of 0 to ${MAX_TOTP_WINDOW}`);
    }
    // A step's code is accepted from step − window to step + window: (2w + 1) periods. One period more covers clock
    // differences between instances; after that the verifier refuses the code by itself and the key is dead weight.
    this.ttlSeconds = (2 * window + 2) * period;
  }

  /** True when this is the first use of `timeStep` for the user; false when it was already used (a replay). */
  async claim(userId: string, timeStep: bigint): Promise<boolean> {
    assertUserId(userId);
    const answer = await this.redis.set(`${TOTP_USED_KEY_PREFIX}${userId}:${timeStep}`, '1', 'EX', this.ttlSeconds, 'NX');
    return answer === 'OK';
  }
}
