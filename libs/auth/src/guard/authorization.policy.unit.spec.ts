import { authorize, type RouteRequirements } from '../index.js';

const NOW = 1_800_000_000;
const salesToken = { perms: ['contacts:read', 'contacts:write', 'consent:read'] as const, amr: ['pwd', 'otp'] };
const dpoPerms = ['contacts:read', 'contacts:export', 'subjects:erase', 'consent:read', 'audit:read', 'register:manage'] as const;
const route = (permissions: readonly string[] | undefined, stepUpMaxAgeSeconds?: number): RouteRequirements => ({ permissions, stepUpMaxAgeSeconds });

describe('authorising an authenticated caller for a route', () => {
  it('given a route that declares nothing, then everybody is refused, even an administrator', () => {
    expect(authorize({ perms: ['users:manage', 'roles:manage'], amr: ['pwd', 'otp'] }, route(undefined), NOW)).toEqual({ allowed: false, reason: 'no_policy' });
  });

  it('given a route open to any signed-in user (empty list), then a valid caller is allowed', () => {
    expect(authorize({ perms: [], amr: ['pwd'] }, route([]), NOW)).toEqual({ allowed: true });
  });

  it('given the caller holds every required permission, then it is allowed; lacking one, it is refused', () => {
    expect(authorize({ ...salesToken, perms: [...salesToken.perms] }, route(['contacts:read', 'consent:read']), NOW)).toEqual({ allowed: true });
    expect(authorize({ ...salesToken, perms: [...salesToken.perms] }, route(['contacts:read', 'contacts:export']), NOW)).toEqual({
      allowed: false,
      reason: 'missing_permission',
    });
  });

  it('given a route open to any one of several permissions, then holding one is enough and holding none is refused', () => {
    const registerRead: RouteRequirements = { permissions: [], anyOf: ['register:manage', 'audit:read'], stepUpMaxAgeSeconds: undefined };
    expect(authorize({ perms: ['register:manage'], amr: ['pwd'] }, registerRead, NOW)).toEqual({ allowed: true });
    expect(authorize({ perms: [...dpoPerms], amr: ['pwd', 'otp'] }, registerRead, NOW)).toEqual({ allowed: true });
    expect(authorize({ ...salesToken, perms: [...salesToken.perms] }, registerRead, NOW)).toEqual({ allowed: false, reason: 'missing_permission' });
  });

  it('given a DPO signed in with a password only, when using even a harmless route, then a second factor is demanded', () => {
    expect(authorize({ perms: [...dpoPerms], amr: ['pwd'] }, route(['contacts:read']), NOW)).toEqual({ allowed: false, reason: 'mfa_required' });
    expect(authorize({ perms: [...dpoPerms], amr: ['pwd', 'otp'] }, route(['contacts:read']), NOW)).toEqual({ allowed: true });
    expect(authorize({ perms: [...dpoPerms], amr: ['pwd', 'rec'] }, route(['contacts:read']), NOW)).toEqual({ allowed: true });
  });

  it('given a salesperson signed in with a password only, when reading a contact, then a second factor is demanded', () => {
    const passwordOnly = { perms: [...salesToken.perms], amr: ['pwd'] };
    expect(authorize(passwordOnly, route(['contacts:read']), NOW)).toEqual({ allowed: false, reason: 'mfa_required' });
    // …on every route, as for the DPO: the session itself may not be used without one.
    expect(authorize(passwordOnly, route([]), NOW)).toEqual({ allowed: false, reason: 'mfa_required' });
  });

  it('given a role exempted by identity (mfa_exempt), then a password suffices for personal data but never for a sensitive permission', () => {
    expect(authorize({ perms: [...salesToken.perms], amr: ['pwd'], mfa_exempt: true }, route(['contacts:read']), NOW)).toEqual({ allowed: true });
    expect(authorize({ perms: [...dpoPerms], amr: ['pwd'], mfa_exempt: true }, route(['contacts:read']), NOW)).toEqual({
      allowed: false,
      reason: 'mfa_required',
    });
  });

  it('given permissions that show no personal data, then a password alone is enough', () => {
    expect(authorize({ perms: ['register:manage', 'notices:publish', 'backups:read'], amr: ['pwd'] }, route(['backups:read']), NOW)).toEqual({ allowed: true });
  });

  it('given a step-up route, when the last second factor is within the window, then allowed; older, absent or in the future, refused', () => {
    const dpo = (mfaAt?: number) => ({ perms: [...dpoPerms], amr: ['pwd', 'otp'], ...(mfaAt === undefined ? {} : { mfa_at: mfaAt }) });
    const exportRoute = route(['contacts:export'], 300);
    expect(authorize(dpo(NOW - 300), exportRoute, NOW)).toEqual({ allowed: true });
    expect(authorize(dpo(NOW - 301), exportRoute, NOW)).toEqual({ allowed: false, reason: 'step_up_required' });
    expect(authorize(dpo(), exportRoute, NOW)).toEqual({ allowed: false, reason: 'step_up_required' });
    expect(authorize(dpo(NOW + 60), exportRoute, NOW)).toEqual({ allowed: false, reason: 'step_up_required' });
  });
});
