import { loadConfig, type Env } from '@crm/config';
import { z } from 'zod';

/** Argon2id cost parameters (RFC 9106 §3.1). The salt (16 bytes) and output (32 bytes) are the library's defaults. */
export interface PasswordHashingSettings {
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over that memory. */
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP Password Storage Cheat Sheet, Argon2id: m=19456 KiB (19 MiB), t=2, p=1. About 30–50 ms on one core here;
 * at most 4 run at once (libuv's thread pool), so a login burst queues rather than exhausting memory.
 */
export const OWASP_ARGON2ID_SETTINGS: Readonly<PasswordHashingSettings> = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/**
 * OWASP's equivalent configurations trade memory for passes (47104×1, 19456×2, 12288×3, 9216×4, 7168×5), all with a
 * memory × passes product of at least 35 840; a configuration below that is refused at boot rather than silently weak.
 */
const MIN_COST_PRODUCT = 35_840;

const memoryCost = z.number().int().min(7_168, 'at least 7168 KiB (OWASP)').max(4_194_304);
const timeCost = z.number().int().min(1).max(20);
const parallelism = z.number().int().min(1).max(16);
const strongEnough = (memory: number, passes: number): boolean => memory * passes >= MIN_COST_PRODUCT;
const tooWeak = `memoryCost × timeCost must be at least ${MIN_COST_PRODUCT} (OWASP's weakest equivalent configuration)`;

export const passwordHashingSettingsSchema = z
  .object({ memoryCost, timeCost, parallelism })
  .refine((settings) => strongEnough(settings.memoryCost, settings.timeCost), { message: tooWeak, path: ['memoryCost'] });

const hashingEnvSchema = z
  .object({
    CRM_PASSWORD_ARGON2_MEMORY_KIB: z.coerce.number().pipe(memoryCost).default(OWASP_ARGON2ID_SETTINGS.memoryCost),
    CRM_PASSWORD_ARGON2_TIME_COST: z.coerce.number().pipe(timeCost).default(OWASP_ARGON2ID_SETTINGS.timeCost),
    CRM_PASSWORD_ARGON2_PARALLELISM: z.coerce.number().pipe(parallelism).default(OWASP_ARGON2ID_SETTINGS.parallelism),
  })
  .refine((env) => strongEnough(env.CRM_PASSWORD_ARGON2_MEMORY_KIB, env.CRM_PASSWORD_ARGON2_TIME_COST), {
    message: tooWeak,
    path: ['CRM_PASSWORD_ARGON2_MEMORY_KIB'],
  });

/** `CRM_PASSWORD_ARGON2_*`, validated once at boot. Raising them later is safe: `needsRehash` upgrades on login. */
export function loadPasswordHashingSettings(env: Env = process.env): PasswordHashingSettings {
  const raw = loadConfig(hashingEnvSchema, env);
  return {
    memoryCost: raw.CRM_PASSWORD_ARGON2_MEMORY_KIB,
    timeCost: raw.CRM_PASSWORD_ARGON2_TIME_COST,
    parallelism: raw.CRM_PASSWORD_ARGON2_PARALLELISM,
  };
}
