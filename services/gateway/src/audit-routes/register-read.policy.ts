import { authErrors, type AccessTokenClaims } from '@crm/auth';

/**
 * Register reads are open to its editors (`register:manage`) or auditors (`audit:read`); the global guard only
 * knows "all of", so these routes require a signed-in caller and this completes the check at the edge too.
 */
export function assertMayReadRegister(auth: AccessTokenClaims): void {
  if (!auth.perms.includes('register:manage') && !auth.perms.includes('audit:read')) throw authErrors.forbidden();
}
