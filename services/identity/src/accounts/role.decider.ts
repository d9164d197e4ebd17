import { defineErrors, type ErrorTable } from '@crm/errors';
import type { Decider } from '@crm/eventstore';

/** A custom role (built-in roles are code, not events): created once, from the permission catalogue. */
export interface CreateRole {
  type: 'CreateRole';
  name: string;
  permissions: string[];
  mfaRequired: boolean;
}
export interface RoleCreated {
  type: 'RoleCreated';
  name: string;
  permissions: string[];
  mfaRequired: boolean;
}
export interface RoleState {
  exists: boolean;
}

export const ROLE_ERRORS = { ROLE_EXISTS: { kind: 'conflict', retriable: false } } as const satisfies ErrorTable;
export const roleError = defineErrors(ROLE_ERRORS);

export const roleDecider: Decider<CreateRole, RoleState, RoleCreated> = {
  initialState: () => ({ exists: false }),
  decide(command, state) {
    if (state.exists) throw roleError('ROLE_EXISTS', 'a role with this name exists already');
    return [{ type: 'RoleCreated', name: command.name, permissions: [...command.permissions], mfaRequired: command.mfaRequired }];
  },
  evolve: () => ({ exists: true }),
};
