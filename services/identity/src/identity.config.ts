import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, secretFrom, type Env, type PlatformConfig, type Secret } from '@crm/config';

export interface IdentityConfig {
  /** The first administrator, created at first start when there is no account yet. */
  adminEmail: string;
  adminPassword: Secret;
  /** Shown by authenticator apps next to the account. */
  totpIssuer: string;
  /** Built-in roles whose holders must use a second factor although no permission of theirs demands it. */
  mfaRequiredRoles: string[];
}

/** Generated at first start by the launcher into `<state>/secrets/admin.password` (never committed). */
export function loadIdentityConfig(platform: Pick<PlatformConfig, 'stateDir'>, env: Env = process.env): IdentityConfig {
  const parsed = loadConfig(
    z.object({
      CRM_ADMIN_EMAIL: z.email().default('admin@crm.local'),
      CRM_TOTP_ISSUER: z.string().min(1).max(64).default('CRM platform'),
      CRM_MFA_REQUIRED_ROLES: z
        .string()
        .default('')
        .transform((value) =>
          value
            .split(',')
            .map((role) => role.trim())
            .filter(Boolean),
        ),
    }),
    env,
  );
  const adminPassword = secretFrom(env, 'CRM_ADMIN_PASSWORD', join(platform.stateDir, 'secrets', 'admin.password'));
  if (adminPassword === undefined) throw new ConfigError(['CRM_ADMIN_PASSWORD: required']);
  return { adminEmail: parsed.CRM_ADMIN_EMAIL, adminPassword, totpIssuer: parsed.CRM_TOTP_ISSUER, mfaRequiredRoles: parsed.CRM_MFA_REQUIRED_ROLES };
}
