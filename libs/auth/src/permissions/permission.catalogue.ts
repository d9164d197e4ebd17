/**
 * Every permission the platform knows. Routes name them in `@RequirePermissions(…)`, roles are sets of them and
 * access tokens carry the holder's set in `perms`; a string outside this list grants nothing anywhere.
 */
export const PERMISSIONS = [
  'contacts:read',
  'contacts:write',
  'contacts:export',
  'subjects:erase',
  'consent:read',
  'consent:write',
  'notices:publish',
  'requests:manage',
  'audit:read',
  'register:manage',
  'backups:read',
  'backups:manage',
  'users:manage',
  'roles:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(PERMISSIONS);

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && KNOWN.has(value);
}

/**
 * Permissions whose misuse is a data breach on its own (bulk export, erasure, working data-subject requests that
 * disclose or destroy a person's data, reading who-did-what, granting rights). Holding any of them makes a second factor mandatory (NIST SP 800-63B AAL2; docs/tokens.md).
 */
export const SENSITIVE_PERMISSIONS = [
  'contacts:export',
  'subjects:erase',
  'requests:manage',
  'audit:read',
  'users:manage',
  'roles:manage',
  'backups:manage',
] as const satisfies readonly Permission[];

const SENSITIVE: ReadonlySet<Permission> = new Set(SENSITIVE_PERMISSIONS);

/** True when the holder of `permissions` must have authenticated with a second factor. */
export function requiresMfa(permissions: Iterable<string>): boolean {
  for (const permission of permissions) if (isPermission(permission) && SENSITIVE.has(permission)) return true;
  return false;
}
