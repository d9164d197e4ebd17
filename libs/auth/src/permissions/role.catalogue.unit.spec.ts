import {
  BUILT_IN_ROLES,
  PERMISSIONS,
  permissionsOfRoles,
  purposePermission,
  readsPersonalData,
  requiresMfa,
  secondFactorRequirement,
  SENSITIVE_PERMISSIONS,
  type RoleCatalogue,
} from '../index.js';

describe('the permission and role catalogue', () => {
  it('given the administrator role, then it holds every permission', () => {
    expect(permissionsOfRoles(['administrator'])).toEqual([...PERMISSIONS]);
  });

  it('given several roles, when combined, then the permissions are their union in catalogue order', () => {
    expect(permissionsOfRoles(['support', 'analyst', 'sales'])).toEqual([
      'contacts:read',
      'contacts:write',
      'consent:read',
      'consent:write',
      'purpose:customer-service',
      'purpose:sales',
      'purpose:marketing',
      'purpose:billing',
      'purpose:analytics',
    ]);
  });

  it('given an unknown role or a prototype key, when combined, then it grants nothing', () => {
    expect(permissionsOfRoles(['root', 'constructor', '__proto__', 'toString'])).toEqual([]);
  });

  it('given the built-in roles, then those that can export, erase, read audit trails or manage users need a second factor', () => {
    const needingMfa = Object.entries(BUILT_IN_ROLES)
      .filter(([, permissions]) => requiresMfa(permissions))
      .map(([role]) => role);
    expect(needingMfa).toEqual(['administrator', 'dpo']);
  });

  it('given any single sensitive permission, then a second factor is required; unknown strings never require it', () => {
    for (const permission of SENSITIVE_PERMISSIONS) expect(requiresMfa([permission])).toBe(true);
    expect(requiresMfa(['contacts:read', 'contacts:write', 'consent:write', 'register:manage'])).toBe(false);
    expect(requiresMfa(['everything:*'])).toBe(false);
  });

  it('given the built-in roles, then each may name only its own purposes: the analyst analytics alone', () => {
    const purposes = (role: keyof typeof BUILT_IN_ROLES) => (BUILT_IN_ROLES[role] as readonly string[]).filter((p) => p.startsWith('purpose:'));
    expect(purposes('analyst')).toEqual(['purpose:analytics']);
    expect(purposes('sales')).toEqual(['purpose:sales', 'purpose:marketing']);
    expect(purposes('support')).toEqual(['purpose:customer-service', 'purpose:billing']);
    expect(purposes('dpo')).toEqual(['purpose:customer-service', 'purpose:legal-claims']);
    expect(purposes('administrator')).toHaveLength(6);
  });

  it('given a purpose code, then its permission is purpose:<code>; an unknown or platform purpose has none', () => {
    expect(purposePermission('customer-service')).toBe('purpose:customer-service');
    expect(purposePermission('legal-claims')).toBe('purpose:legal-claims');
    expect(purposePermission('access-control')).toBeUndefined();
    expect(purposePermission('gossip')).toBeUndefined();
    expect(purposePermission('')).toBeUndefined();
  });

  it('given the permissions that show personal data, then reading contacts or consents does; the register, notices and backups do not', () => {
    expect(readsPersonalData(['contacts:read'])).toBe(true);
    expect(readsPersonalData(['consent:write'])).toBe(true);
    expect(readsPersonalData(['register:manage', 'notices:publish', 'backups:read', 'purpose:sales'])).toBe(false);
  });
});

describe('who must sign in with a second factor', () => {
  it('given the built-in roles and no configuration, then every role that can see personal data needs one', () => {
    const requirement = Object.fromEntries(Object.keys(BUILT_IN_ROLES).map((role) => [role, secondFactorRequirement([role])]));
    expect(requirement).toEqual({ administrator: 'required', sales: 'required', support: 'required', analyst: 'required', dpo: 'required' });
  });

  it('given a role exempted by configuration, then its holders are exempt; holding another, unexempted role that sees personal data, they are not', () => {
    expect(secondFactorRequirement(['sales'], BUILT_IN_ROLES, { exempt: ['sales'] })).toBe('exempt');
    expect(secondFactorRequirement(['sales', 'analyst'], BUILT_IN_ROLES, { exempt: ['sales'] })).toBe('required');
    expect(secondFactorRequirement(['sales', 'analyst'], BUILT_IN_ROLES, { exempt: ['sales', 'analyst'] })).toBe('exempt');
  });

  it('given an exemption of a role with a sensitive permission, or of a role also marked required, then it is ignored', () => {
    expect(secondFactorRequirement(['dpo'], BUILT_IN_ROLES, { exempt: ['dpo'] })).toBe('required');
    expect(secondFactorRequirement(['sales'], BUILT_IN_ROLES, { exempt: ['sales'], required: ['sales'] })).toBe('required');
  });

  it('given a role that sees no personal data, then it needs none unless marked required; an unknown role changes nothing', () => {
    const catalogue: RoleCatalogue = { ...BUILT_IN_ROLES, registrar: ['register:manage', 'notices:publish'] };
    expect(secondFactorRequirement(['registrar'], catalogue)).toBe('none');
    expect(secondFactorRequirement(['registrar'], catalogue, { required: ['registrar'] })).toBe('required');
    expect(secondFactorRequirement(['registrar', 'nobody', '__proto__'], catalogue, { required: ['nobody'] })).toBe('none');
    expect(secondFactorRequirement([], catalogue)).toBe('none');
  });
});
