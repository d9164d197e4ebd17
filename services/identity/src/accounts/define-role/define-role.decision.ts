import { defineErrors, type ErrorTable } from '@crm/errors';
import type { CreateRole, RoleCreated, RoleState } from '../role.decider.js';

export const ROLE_ERRORS = { ROLE_EXISTS: { kind: 'conflict', retriable: false } } as const satisfies ErrorTable;
export const roleError = defineErrors(ROLE_ERRORS);

/** A custom role is created once: of two creations of one name, the second is a conflict. */
export function decideDefineRole(command: CreateRole, state: RoleState): RoleCreated[] {
  if (state.exists) throw roleError('ROLE_EXISTS', 'a role with this name exists already');
  return [{ type: 'RoleCreated', name: command.name, permissions: [...command.permissions], mfaRequired: command.mfaRequired }];
}
