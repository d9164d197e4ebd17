import { fold } from '@crm/eventstore';
import { accountDecider } from '../account.decider.js';
import { decideAssignRoles } from './assign-roles.decision.js';
import { registered, userId } from '../account.fixtures.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';

describe('assigning roles', () => {
  it('given an account, when roles are assigned, then RolesAssigned holds exactly the new roles, and the state follows', () => {
    const events = decideAssignRoles({ type: 'AssignRoles', userId, roles: ['dpo', 'sales'], grantedBy: admin }, fold(accountDecider, [registered]));

    expect(events).toEqual([{ type: 'RolesAssigned', userId, roles: ['dpo', 'sales'] }]);
    expect(fold(accountDecider, [registered, ...events]).roles).toEqual(['dpo', 'sales']);
  });

  it('given no account, when roles are assigned, then USER_NOT_FOUND', () => {
    expect(() => decideAssignRoles({ type: 'AssignRoles', userId, roles: ['dpo'], grantedBy: admin }, accountDecider.initialState())).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'USER_NOT_FOUND', kind: 'not_found' }),
    );
  });

  it('given an account, when its holder assigns roles to themselves, then ROLE_SELF_GRANT (forbidden) and nothing is decided', () => {
    expect(() => decideAssignRoles({ type: 'AssignRoles', userId, roles: ['administrator'], grantedBy: userId }, fold(accountDecider, [registered]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'ROLE_SELF_GRANT', kind: 'forbidden' }),
    );
  });
});
