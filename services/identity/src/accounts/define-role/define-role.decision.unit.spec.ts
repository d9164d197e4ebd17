import { fold } from '@crm/eventstore';
import { roleDecider, type CreateRole, type RoleCreated } from '../role.decider.js';
import { decideDefineRole } from './define-role.decision.js';

const command: CreateRole = { type: 'CreateRole', name: 'auditor', permissions: ['audit:read'], mfaRequired: true };
const created: RoleCreated = { type: 'RoleCreated', name: 'auditor', permissions: ['audit:read'], mfaRequired: true };

describe('defining a custom role', () => {
  it('given no role of that name, when it is defined, then RoleCreated holds its name, permissions and second-factor rule', () => {
    expect(decideDefineRole(command, fold(roleDecider, []))).toEqual([created]);
  });

  it('given a role of that name, when it is defined again, then ROLE_EXISTS', () => {
    expect(() => decideDefineRole(command, fold(roleDecider, [created]))).toThrow(
      expect.objectContaining({ name: 'AppError', code: 'ROLE_EXISTS', kind: 'conflict' }),
    );
  });
});
