import type { AccountCommand, AccountEvent, AccountState } from '../account.decider.js';
import { accountError } from '../account.errors.js';

export type AssignRolesCommand = Extract<AccountCommand, { type: 'AssignRoles' }>;

/** The roles are replaced as a whole: the event holds exactly the new list. */
export function decideAssignRoles(command: AssignRolesCommand, state: AccountState): AccountEvent[] {
  if (state.status === 'absent') throw accountError('USER_NOT_FOUND', 'no such user');
  return [{ type: 'RolesAssigned', userId: command.userId, roles: [...command.roles] }];
}
