import { fold } from '@crm/eventstore';
import { accountDecider, type AccountEvent } from '../account.decider.js';
import { decideAssignRoles } from './assign-roles.decision.js';

const userId = '0190f3a4-1111-7000-8000-000000000001';
const admin = '0190f3a4-1111-7000-8000-00000000000a';
const registered: AccountEvent = {
  type: 'UserRegistered',
  userId,
  email: 'ada@example.com',
  displayName: 'Ada',
  roles: ['sales'],
  passwordChangeRequired: true,
};

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
