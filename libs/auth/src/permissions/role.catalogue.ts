import { PERMISSIONS, isPermission, readsPersonalData, requiresMfa, type Permission } from './permission.catalogue.js';

/**
 * The roles every installation starts with. Identity may add configurable roles; these are the defaults and the
 * vocabulary the documentation uses. Least privilege: only the administrator manages users and roles, and only the
 * DPO exports and erases (GDPR Art. 15/17 requests go through the DPO). Each role processes contacts only for its
 * own purposes: sales for selling and direct marketing, support for serving and billing customers, analysts for
 * analytics alone, the DPO for a data subject's requests (the full record, `customer-service`) and legal claims
 * (the one purpose that still reads a restricted contact, Art. 18(2)).
 */
// prettier-ignore
export const BUILT_IN_ROLES = {
  administrator: PERMISSIONS,
  sales:   ['contacts:read', 'contacts:write', 'consent:read', 'purpose:sales', 'purpose:marketing'],
  support: ['contacts:read', 'contacts:write', 'consent:read', 'consent:write', 'purpose:customer-service', 'purpose:billing'],
  analyst: ['contacts:read', 'purpose:analytics'],
  dpo:     ['contacts:read', 'contacts:export', 'subjects:erase', 'consent:read', 'notices:publish', 'requests:manage', 'audit:read',
            'register:manage', 'retention:read', 'retention:manage', 'backups:read', 'purpose:customer-service', 'purpose:legal-claims'],
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

/** How a deployment adjusts who must use a second factor, per role (identity's configuration and custom roles). */
export interface SecondFactorPolicy {
  /** Roles that must use one whatever they hold (`CRM_MFA_REQUIRED_ROLES`, a custom role's `mfaRequired`). */
  required?: Iterable<string>;
  /**
   * Roles whose holders may see personal data with a password alone (`CRM_MFA_EXEMPT_ROLES`). It never lifts the
   * requirement of a sensitive permission, nor of a `required` role.
   */
  exempt?: Iterable<string>;
}

/**
 * `required`: the holder of these roles must sign in with a second factor; `exempt`: they can see personal data but
 * every role giving them that access is exempted by configuration (identity says so in the token, `mfa_exempt`);
 * `none`: nothing they hold shows personal data. By default every role that can see personal data requires one.
 */
export type SecondFactorRequirement = 'required' | 'exempt' | 'none';

/** Pure: what the policy asks of a holder of `roles` (unknown roles contribute nothing, as for permissions). */
export function secondFactorRequirement(
  roles: Iterable<string>,
  catalogue: RoleCatalogue = BUILT_IN_ROLES,
  policy: SecondFactorPolicy = {},
): SecondFactorRequirement {
  const known = [...roles].filter((role) => Object.hasOwn(catalogue, role));
  const required = new Set(policy.required ?? []);
  const exempt = new Set(policy.exempt ?? []);
  const permissions = permissionsOfRoles(known, catalogue);
  if (requiresMfa(permissions) || known.some((role) => required.has(role))) return 'required';
  if (known.some((role) => readsPersonalData(catalogue[role] ?? []) && !exempt.has(role))) return 'required';
  return readsPersonalData(permissions) ? 'exempt' : 'none';
}
