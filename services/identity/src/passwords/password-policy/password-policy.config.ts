import { ConfigError, loadConfig, type Env } from '@crm/config';
import { z } from 'zod';

/**
 * The password rules a deployment enforces. Length limits, the blocklist and the personal-data rules are the
 * SP 800-63B baseline and cannot be switched off; composition and expiry are *business* policy that NIST advises
 * against (800-63B §5.1.1.2 "SHOULD NOT"; 800-63B-4 makes both "SHALL NOT") and ASVS 5.0 6.2.5 / 6.2.10 forbid,
 * so each of those is a switch. See docs/identity-security.md for the mapping.
 */
export interface PasswordPolicy {
  /** Code points after NFKC. Never below 8 (SP 800-63B §5.1.1.2, ASVS 5.0 6.2.1). */
  minLength: number;
  /** Never below 64 (SP 800-63B §5.1.1.2 "at least 64"); longer passwords are refused, never truncated. */
  maxLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireDigit: boolean;
  requireSpecial: boolean;
  /** Context-specific words of this deployment (product, company), refused anywhere in a password (§5.1.1.2). */
  blockedWords: readonly string[];
  /** Days after which a password must be changed; `null` = never (the NIST recommendation). */
  maxAgeDays: number | null;
  /** How many previous passwords (including the current one) may not be reused; 0 = off. */
  historySize: number;
}

/** No standard caps the maximum (only its floor, 64); 4096 bounds the work one hostile request can cause. */
const MAX_LENGTH_CEILING = 4096;

export const passwordPolicySchema = z
  .object({
    minLength: z.number().int().min(8, 'at least 8 (SP 800-63B §5.1.1.2)').max(64),
    maxLength: z.number().int().min(64, 'at least 64 (SP 800-63B §5.1.1.2)').max(MAX_LENGTH_CEILING),
    requireUppercase: z.boolean(),
    requireLowercase: z.boolean(),
    requireDigit: z.boolean(),
    requireSpecial: z.boolean(),
    blockedWords: z.array(z.string().trim().min(3, 'blocked words need at least 3 characters')).readonly(),
    maxAgeDays: z.number().int().min(1).max(3650).nullable(),
    historySize: z.number().int().min(0).max(24),
  })
  .refine((policy) => policy.maxLength >= policy.minLength, { message: 'maxLength must not be below minLength', path: ['maxLength'] });

/** The business defaults: all composition rules on, no expiry, no history. */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minLength: 8,
  maxLength: 128,
  requireUppercase: true,
  requireLowercase: true,
  requireDigit: true,
  requireSpecial: true,
  blockedWords: Object.freeze([]) as readonly string[],
  maxAgeDays: null,
  historySize: 0,
});

/** A validated policy from the defaults and some overrides (tests, or a service that composes its own). */
export function definePasswordPolicy(overrides: Partial<PasswordPolicy> = {}): PasswordPolicy {
  return validatePolicy({ ...DEFAULT_PASSWORD_POLICY, ...overrides }, (field) => `password policy ${field}`);
}

function validatePolicy(candidate: PasswordPolicy, nameOf: (field: keyof PasswordPolicy) => string): PasswordPolicy {
  const result = passwordPolicySchema.safeParse(candidate);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${nameOf(issue.path[0] as keyof PasswordPolicy)}: ${issue.message}`));
}

const ENV_NAME_BY_FIELD: Readonly<Record<keyof PasswordPolicy, string>> = {
  minLength: 'CRM_PASSWORD_MIN_LENGTH',
  maxLength: 'CRM_PASSWORD_MAX_LENGTH',
  requireUppercase: 'CRM_PASSWORD_REQUIRE_UPPERCASE',
  requireLowercase: 'CRM_PASSWORD_REQUIRE_LOWERCASE',
  requireDigit: 'CRM_PASSWORD_REQUIRE_DIGIT',
  requireSpecial: 'CRM_PASSWORD_REQUIRE_SPECIAL',
  blockedWords: 'CRM_PASSWORD_BLOCKED_WORDS',
  maxAgeDays: 'CRM_PASSWORD_MAX_AGE_DAYS',
  historySize: 'CRM_PASSWORD_HISTORY_SIZE',
};

const flag = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });
const count = z.coerce.number().int();

const passwordEnvSchema = z.object({
  CRM_PASSWORD_MIN_LENGTH: count.default(DEFAULT_PASSWORD_POLICY.minLength),
  CRM_PASSWORD_MAX_LENGTH: count.default(DEFAULT_PASSWORD_POLICY.maxLength),
  CRM_PASSWORD_REQUIRE_UPPERCASE: flag.default(DEFAULT_PASSWORD_POLICY.requireUppercase),
  CRM_PASSWORD_REQUIRE_LOWERCASE: flag.default(DEFAULT_PASSWORD_POLICY.requireLowercase),
  CRM_PASSWORD_REQUIRE_DIGIT: flag.default(DEFAULT_PASSWORD_POLICY.requireDigit),
  CRM_PASSWORD_REQUIRE_SPECIAL: flag.default(DEFAULT_PASSWORD_POLICY.requireSpecial),
  /** Comma-separated. */
  CRM_PASSWORD_BLOCKED_WORDS: z.string().default(''),
  /** Unset, empty or 0 = passwords never expire. */
  CRM_PASSWORD_MAX_AGE_DAYS: count.min(0).default(0),
  CRM_PASSWORD_HISTORY_SIZE: count.default(DEFAULT_PASSWORD_POLICY.historySize),
});

/**
 * Reads `CRM_PASSWORD_*` once at boot. Problems name the variable, never its value (config lib convention).
 * Empty strings count as unset, so `CRM_PASSWORD_MAX_AGE_DAYS=` in an env file means "off", not "invalid".
 */
export function loadPasswordPolicy(env: Env = process.env): PasswordPolicy {
  const present = Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('CRM_PASSWORD_') && value !== ''));
  const raw = loadConfig(passwordEnvSchema, present);
  return validatePolicy(
    {
      minLength: raw.CRM_PASSWORD_MIN_LENGTH,
      maxLength: raw.CRM_PASSWORD_MAX_LENGTH,
      requireUppercase: raw.CRM_PASSWORD_REQUIRE_UPPERCASE,
      requireLowercase: raw.CRM_PASSWORD_REQUIRE_LOWERCASE,
      requireDigit: raw.CRM_PASSWORD_REQUIRE_DIGIT,
      requireSpecial: raw.CRM_PASSWORD_REQUIRE_SPECIAL,
      blockedWords: raw.CRM_PASSWORD_BLOCKED_WORDS.split(',')
        .map((word) => word.trim())
        .filter((word) => word !== ''),
      maxAgeDays: raw.CRM_PASSWORD_MAX_AGE_DAYS === 0 ? null : raw.CRM_PASSWORD_MAX_AGE_DAYS,
      historySize: raw.CRM_PASSWORD_HISTORY_SIZE,
    },
    (field) => ENV_NAME_BY_FIELD[field],
  );
}
