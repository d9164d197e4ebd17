import { join } from 'node:path';
import { ConfigError, loadConfig, secretFrom, type Env, type Secret } from '@crm/config';
import { z } from 'zod';

export interface LoginThrottleLimits {
  /** Consecutive failed logins that lock an account. */
  accountLockThreshold: number;
  /** How long the lock lasts, counted from the failure that set it; also how long earlier failures are remembered. */
  accountLockSeconds: number;
  /** Failed logins per client address (IPv4 address or IPv6 /64) per window, over all accounts. */
  addressMaxFailures: number;
  addressWindowSeconds: number;
  /**
   * Consecutive failed logins in all, across lock periods (a lock's end does not reset them, a correct password
   * does): at this count the account is hard-locked until an administrator unlocks it (`LOGIN_HARD_LOCKED`).
   */
  accountHardLockThreshold: number;
}

export interface LoginThrottleSettings extends LoginThrottleLimits {
  /**
   * Key of the HMAC that turns account keys and client addresses into Redis keys. An IP address is personal data and
   * the IPv4 space is small enough to hash exhaustively, so an unkeyed hash would not hide it.
   */
  keySecret: Secret;
}

/** The business defaults: lock after 5 failures for 15 minutes; 20 failures per address per 15 minutes. */
export const DEFAULT_LOGIN_THROTTLE_LIMITS: Readonly<LoginThrottleLimits> = Object.freeze({
  accountLockThreshold: 5,
  accountLockSeconds: 900,
  addressMaxFailures: 20,
  addressWindowSeconds: 900,
  accountHardLockThreshold: 100,
});

export const MIN_KEY_SECRET_LENGTH = 32;

export const loginThrottleLimitsSchema = z.object({
  // SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account.
  accountLockThreshold: z.number().int().min(1).max(100),
  accountLockSeconds: z.number().int().min(1).max(86_400),
  addressMaxFailures: z.number().int().min(1).max(100_000),
  addressWindowSeconds: z.number().int().min(1).max(86_400),
  // SP 800-63B §5.2.2 again: the short locks alone would let guessing go on without end.
  accountHardLockThreshold: z.number().int().min(1).max(100),
});

const limit = (fallback: number) => z.coerce.number().int().default(fallback);
const loginEnvSchema = z.object({
  CRM_LOGIN_LOCK_THRESHOLD: limit(DEFAULT_LOGIN_THROTTLE_LIMITS.accountLockThreshold).pipe(loginThrottleLimitsSchema.shape.accountLockThreshold),
  CRM_LOGIN_LOCK_SECONDS: limit(DEFAULT_LOGIN_THROTTLE_LIMITS.accountLockSeconds).pipe(loginThrottleLimitsSchema.shape.accountLockSeconds),
  CRM_LOGIN_ADDRESS_MAX_FAILURES: limit(DEFAULT_LOGIN_THROTTLE_LIMITS.addressMaxFailures).pipe(loginThrottleLimitsSchema.shape.addressMaxFailures),
  CRM_LOGIN_ADDRESS_WINDOW_SECONDS: limit(DEFAULT_LOGIN_THROTTLE_LIMITS.addressWindowSeconds).pipe(loginThrottleLimitsSchema.shape.addressWindowSeconds),
  CRM_LOGIN_HARD_LOCK_THRESHOLD: limit(DEFAULT_LOGIN_THROTTLE_LIMITS.accountHardLockThreshold).pipe(loginThrottleLimitsSchema.shape.accountHardLockThreshold),
});

/**
 * `CRM_LOGIN_*` limits, and the key secret from `CRM_LOGIN_THROTTLE_SECRET` or the file named by
 * `CRM_LOGIN_THROTTLE_SECRET_FILE` (default `<state dir>/secrets/login-throttle.secret`), validated once at boot.
 * Every instance must share the secret, or each counts failures under different keys.
 */
export function loadLoginThrottleSettings(env: Env = process.env): LoginThrottleSettings {
  const raw = loadConfig(loginEnvSchema, env);
  const defaultFile = env.CRM_STATE_DIR === undefined ? undefined : join(env.CRM_STATE_DIR, 'secrets', 'login-throttle.secret');
  const keySecret = secretFrom(env, 'CRM_LOGIN_THROTTLE_SECRET', defaultFile);
  if (keySecret === undefined || keySecret.reveal().length < MIN_KEY_SECRET_LENGTH) {
    throw new ConfigError([`CRM_LOGIN_THROTTLE_SECRET: required, at least ${MIN_KEY_SECRET_LENGTH} characters`]);
  }
  return {
    accountLockThreshold: raw.CRM_LOGIN_LOCK_THRESHOLD,
    accountLockSeconds: raw.CRM_LOGIN_LOCK_SECONDS,
    addressMaxFailures: raw.CRM_LOGIN_ADDRESS_MAX_FAILURES,
    addressWindowSeconds: raw.CRM_LOGIN_ADDRESS_WINDOW_SECONDS,
    accountHardLockThreshold: raw.CRM_LOGIN_HARD_LOCK_THRESHOLD,
    keySecret,
  };
}
