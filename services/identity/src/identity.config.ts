import { join } from 'node:path';
import { z } from 'zod';
import { BUILT_IN_ROLES, isBuiltInRole, requiresMfa } from '@crm/auth';
import { ConfigError, loadConfig, Secret, type Env, type PlatformConfig } from '@crm/config';

export interface IdentityConfig {
  /** The first administrator, created at first start when there is no account yet. */
  adminEmail: string;
  /** `CRM_ADMIN_PASSWORD`: the first administrator's password given inline by the operator (else the file below). */
  adminPassword: Secret | undefined;
  /**
   * `CRM_ADMIN_PASSWORD_FILE`, by default `<state>/secrets/admin.password`: read at the first start, or generated
   * there by identity when missing, and deleted once the administrator has changed that password (issue 15, item 7).
   */
  adminPasswordFile: string;
  /** Shown by authenticator apps next to the account. */
  totpIssuer: string;
  /** Roles whose holders must use a second factor although no permission of theirs demands it. */
  mfaRequiredRoles: string[];
  /**
   * Roles whose holders may see personal data with a password alone (by default every role that can see personal data
   * must use a second factor). A role with a sensitive permission cannot be exempted.
   */
  mfaExemptRoles: string[];
  /**
   * `CRM_ONE_TIME_PASSWORD_TTL_SECONDS` (default 86 400, a day; 5 minutes to 30 days): how long the one-time password
   * of an administrator's reset opens the forced change, counted from the reset (docs/identity-security.md).
   */
  oneTimePasswordTtlSeconds: number;
}

const roleList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean),
  );

/** The bootstrap administrator's password is only read (or generated) at the first start, when no account exists yet. */
export function loadIdentityConfig(platform: Pick<PlatformConfig, 'stateDir'>, env: Env = process.env): IdentityConfig {
  const parsed = loadConfig(
    z.object({
      CRM_ADMIN_EMAIL: z.email().default('admin@crm.local'),
      CRM_TOTP_ISSUER: z.string().min(1).max(64).default('CRM platform'),
      CRM_MFA_REQUIRED_ROLES: roleList,
      CRM_MFA_EXEMPT_ROLES: roleList,
      CRM_ONE_TIME_PASSWORD_TTL_SECONDS: z.coerce
        .number()
        .int()
        .min(300)
        .max(30 * 86_400)
        .default(86_400),
    }),
    env,
  );
  const inline = env.CRM_ADMIN_PASSWORD;
  const adminPassword = inline === undefined || inline === '' ? undefined : new Secret(inline);
  const adminPasswordFile = env.CRM_ADMIN_PASSWORD_FILE ?? join(platform.stateDir, 'secrets', 'admin.password');
  const problems = [
    ...parsed.CRM_MFA_EXEMPT_ROLES.filter((role) => parsed.CRM_MFA_REQUIRED_ROLES.includes(role)).map(
      (role) => `CRM_MFA_EXEMPT_ROLES: ${role} is also in CRM_MFA_REQUIRED_ROLES`,
    ),
    ...parsed.CRM_MFA_EXEMPT_ROLES.filter((role) => isBuiltInRole(role) && requiresMfa(BUILT_IN_ROLES[role])).map(
      (role) => `CRM_MFA_EXEMPT_ROLES: ${role} holds a permission that always needs a second factor`,
    ),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    adminEmail: parsed.CRM_ADMIN_EMAIL,
    adminPassword,
    adminPasswordFile,
    totpIssuer: parsed.CRM_TOTP_ISSUER,
    mfaRequiredRoles: parsed.CRM_MFA_REQUIRED_ROLES,
    mfaExemptRoles: parsed.CRM_MFA_EXEMPT_ROLES,
    oneTimePasswordTtlSeconds: parsed.CRM_ONE_TIME_PASSWORD_TTL_SECONDS,
  };
}
