import type { Decider } from '@crm/eventstore';
import { decideDefineRole } from './define-role/define-role.decision.js';

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

export const roleDecider: Decider<CreateRole, RoleState, RoleCreated> = {
  initialState: () => ({ exists: false }),
  decide: decideDefineRole,
  evolve: () => ({ exists: true }),
};
