import { authErrors, type AccessTokenClaims } from '@crm/auth';

/**
 * Reading the register is open to either its editors (`register:manage`) or auditors (`audit:read`). The global
 * guard only knows "all of these", so the route requires a signed-in caller and this completes the check.
 */
export const REGISTER_READ_PERMISSIONS = ['register:manage', 'audit:read'] as const;

export function assertMayReadRegister(auth: AccessTokenClaims): void {
  if (!REGISTER_READ_PERMISSIONS.some((permission) => auth.perms.includes(permission))) throw authErrors.forbidden();
}
