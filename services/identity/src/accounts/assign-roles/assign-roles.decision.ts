import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type AssignRolesCommand = Extract<AccountCommand, { type: 'AssignRoles' }>;

/**
 * The roles are replaced as a whole: the event holds exactly the new list. Nobody changes their own roles, not even
 * an administrator: a grant always takes a second person (ASVS 5.0 V8, separation of duties).
 */
export function decideAssignRoles(command: AssignRolesCommand, state: AccountState): AccountEvent[] {
  if (command.grantedBy === command.userId) throw accountError('ROLE_SELF_GRANT', 'nobody changes their own roles');
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  return [{ type: 'RolesAssigned', userId: command.userId, roles: [...command.roles] }];
}
