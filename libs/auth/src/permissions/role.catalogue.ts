import { PERMISSIONS, isPermission, type Permission } from './permission.catalogue.js';

/**
 * The roles every installation starts with. Identity may add configurable roles; these are the defaults and the
 * vocabulary the documentation uses. Least privilege: only the administrator manages users and roles, and only the
 * DPO exports and erases (GDPR Art. 15/17 requests go through the DPO).
 */
export const BUILT_IN_ROLES = {
  administrator: PERMISSIONS,
  sales: ['contacts:read', 'contacts:write', 'consent:read'],
  support: ['contacts:read', 'contacts:write', 'consent:read', 'consent:write'],
  analyst: ['contacts:read'],
  dpo: [
    'contacts:read',
    'contacts:export',
    'subjects:erase',
    'consent:read',
    'notices:publish',
    'requests:manage',
    'audit:read',
    'register:manage',
    'backups:read',
  ],
} as const satisfies Readonly<Record<string, readonly Permission[]>>;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

export type RoleCatalogue = Readonly<Record<string, readonly Permission[]>>;

export function isBuiltInRole(value: unknown): value is BuiltInRole {
  return typeof value === 'string' && Object.hasOwn(BUILT_IN_ROLES, value);
}

/**
 * The union of the permissions of `roles`, in catalogue order (so tokens are deterministic). A role missing from
 * the catalogue contributes nothing: an unknown role name must never widen access.
 */
export function permissionsOfRoles(roles: Iterable<string>, catalogue: RoleCatalogue = BUILT_IN_ROLES): Permission[] {
  const held = new Set<string>();
  for (const role of roles) {
    if (!Object.hasOwn(catalogue, role)) continue;
    for (const permission of catalogue[role] ?? []) held.add(permission);
  }
  return PERMISSIONS.filter((permission) => held.has(permission) && isPermission(permission));
}
