import { BUILT_IN_ROLES, PERMISSIONS, permissionsOfRoles, requiresMfa, SENSITIVE_PERMISSIONS } from '../index.js';

describe('the permission and role catalogue', () => {
  it('given the administrator role, then it holds every permission', () => {
    expect(permissionsOfRoles(['administrator'])).toEqual([...PERMISSIONS]);
  });

  it('given several roles, when combined, then the permissions are their union in catalogue order', () => {
    expect(permissionsOfRoles(['support', 'analyst', 'sales'])).toEqual(['contacts:read', 'contacts:write', 'consent:read', 'consent:write']);
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
});
