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
  'retention:read',
  'retention:manage',
  'backups:read',
  'backups:manage',
  'users:manage',
  'roles:manage',
  'purpose:customer-service',
  'purpose:sales',
  'purpose:marketing',
  'purpose:billing',
  'purpose:analytics',
  'purpose:legal-claims',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(PERMISSIONS);

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && KNOWN.has(value);
}

/**
 * The processing purposes a holder may name (`purpose=` on contact reads and writes, the export's `purpose`), one
 * permission each: a purpose is not whatever the caller says but what their roles allow (GDPR Art. 5(1)(b), 25(2);
 * contacts checks it, `services/contacts/src/processing/purpose-access.decision.ts`). They are the customer-facing
 * purposes of the catalogue (`GET /v1/purposes`); the platform's own purposes (`access-control`,
 * `data-subject-rights`, …) are never named by a caller.
 */
export const PURPOSE_PERMISSIONS = [
  'purpose:customer-service',
  'purpose:sales',
  'purpose:marketing',
  'purpose:billing',
  'purpose:analytics',
  'purpose:legal-claims',
] as const satisfies readonly Permission[];

/** The permission to process for `purpose` (`purpose:<code>`); a purpose outside the catalogue has none. */
export function purposePermission(purpose: string): Permission | undefined {
  const permission = `purpose:${purpose}`;
  return isPermission(permission) && permission.startsWith('purpose:') ? permission : undefined;
}

/**
 * Permissions whose misuse is a data breach on its own (bulk export, erasure, working data-subject requests that
 * disclose or destroy a person's data, reading who-did-what, granting rights). Holding any of them makes a second
 * factor mandatory (NIST SP 800-63B AAL2; docs/tokens.md).
 */
export const SENSITIVE_PERMISSIONS = [
  'contacts:export',
  'subjects:erase',
  'requests:manage',
  'audit:read',
  'users:manage',
  'roles:manage',
  'backups:manage',
  'retention:manage',
] as const satisfies readonly Permission[];

const SENSITIVE: ReadonlySet<Permission> = new Set(SENSITIVE_PERMISSIONS);

/** True when the holder of `permissions` must have authenticated with a second factor. */
export function requiresMfa(permissions: Iterable<string>): boolean {
  return holdsAnyOf(permissions, SENSITIVE);
}

function holdsAnyOf(permissions: Iterable<string>, set: ReadonlySet<Permission>): boolean {
  for (const permission of permissions) if (isPermission(permission) && set.has(permission)) return true;
  return false;
}

/**
 * Permissions whose routes show personal data of customers (contacts and their purchases, consents, audit reports
 * per subject, an export) or of staff (user management). Holding one makes a second factor required by default: a
 * phished password alone must not open customer records (issue 15). Identity may exempt a role by configuration
 * (`CRM_MFA_EXEMPT_ROLES`), which it states in the token (`mfa_exempt`); sensitive permissions are never exempt.
 */
export const PERSONAL_DATA_PERMISSIONS = [
  'contacts:read',
  'contacts:write',
  'contacts:export',
  'subjects:erase',
  'consent:read',
  'consent:write',
  'audit:read',
  'users:manage',
] as const satisfies readonly Permission[];

const PERSONAL: ReadonlySet<Permission> = new Set(PERSONAL_DATA_PERMISSIONS);

/** True when the holder of `permissions` can see personal data (see `PERSONAL_DATA_PERMISSIONS`). */
export function readsPersonalData(permissions: Iterable<string>): boolean {
  return holdsAnyOf(permissions, PERSONAL);
}
