import { permissionsOfRoles, type RoleCatalogue } from '@crm/auth';
import { ACCOUNT_ERRORS, accountError } from './account.errors.js';

type AccountErrorCode = keyof typeof ACCOUNT_ERRORS;

/** Who acts on a staff account: their id and the permissions of their access token. */
export interface AccountAdministrator {
  id: string;
  permissions: readonly string[];
}

/**
 * The ceiling of account administration (issue 15): an action that hands the account's credentials to whoever acts,
 * or undoes a defence of it, is never taken on one's own account (there are the holder's own routes for that) nor on
 * an account holding a permission the administrator lacks. Otherwise `users:manage` alone would take over an
 * administrator (reset its password or second factor, lift the lock that stops guessing at it) or erase one, which
 * only someone holding every permission of that account may do; giving rights is a role grant's (`roles:manage`).
 * `codes.self` is left out where acting on one's own account is not possible or not harmful.
 */
export function assertMayAdminister(
  administrator: AccountAdministrator,
  account: { userId: string; roles: readonly string[] },
  catalogue: RoleCatalogue,
  codes: { self?: AccountErrorCode; exceeds: AccountErrorCode },
): void {
  if (codes.self !== undefined && administrator.id === account.userId) {
    throw accountError(codes.self, 'nobody does this to their own account; use your own routes (/v1/me/…)');
  }
  const held = new Set(administrator.permissions);
  const beyond = permissionsOfRoles([...account.roles], catalogue).filter((permission) => !held.has(permission));
  if (beyond.length > 0) {
    throw accountError(codes.exceeds, 'the account holds permissions the administrator does not; an administrator holding them does this', {
      details: { permissions: beyond },
    });
  }
}
