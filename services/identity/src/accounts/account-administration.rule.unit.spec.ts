import { BUILT_IN_ROLES, PERMISSIONS, permissionsOfRoles } from '@crm/auth';
import { assertMayAdminister } from './account-administration.rule.js';

const admin = '0190f3a4-1111-7000-8000-00000000000a';
const holder = '0190f3a4-1111-7000-8000-00000000000b';
const codes = { self: 'MFA_SELF_RESET', exceeds: 'MFA_RESET_EXCEEDS_PERMISSIONS' } as const;

describe('the ceiling of account administration', () => {
  it('given an administrator holding every permission of the account, when they act on it, then nothing refuses', () => {
    const sales = permissionsOfRoles(['sales']);

    expect(() =>
      assertMayAdminister({ id: admin, permissions: ['users:manage', ...sales] }, { userId: holder, roles: ['sales'] }, BUILT_IN_ROLES, codes),
    ).not.toThrow();
  });

  it('given their own account, when they act on it, then the self code (forbidden), whatever they hold', () => {
    expect(() => assertMayAdminister({ id: holder, permissions: PERMISSIONS }, { userId: holder, roles: ['sales'] }, BUILT_IN_ROLES, codes)).toThrow(
      expect.objectContaining({ code: 'MFA_SELF_RESET', kind: 'forbidden' }),
    );
  });

  it('given an account holding a permission they lack, when they act on it, then the exceeds code, naming what is missing', () => {
    const resetter = ['users:manage', ...permissionsOfRoles(['sales']).filter((permission) => permission !== 'contacts:write')];

    expect(() => assertMayAdminister({ id: admin, permissions: resetter }, { userId: holder, roles: ['sales'] }, BUILT_IN_ROLES, codes)).toThrow(
      expect.objectContaining({ code: 'MFA_RESET_EXCEEDS_PERMISSIONS', kind: 'forbidden', details: { permissions: ['contacts:write'] } }),
    );
  });

  it('given an action without a self code (an unlock), when they act on their own account, then only the permissions count', () => {
    expect(() =>
      assertMayAdminister({ id: holder, permissions: PERMISSIONS }, { userId: holder, roles: ['administrator'] }, BUILT_IN_ROLES, {
        exceeds: 'ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS',
      }),
    ).not.toThrow();
  });
});
