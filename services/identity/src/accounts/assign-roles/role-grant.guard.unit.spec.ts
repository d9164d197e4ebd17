// Issue 15 item 6: every route that grants roles (assigning them, and creating an account, which grants its roles)
// declares roles:manage and a step-up, and the platform's pure authorization policy turns a stale second factor
// into step_up_required and a users:manage-only caller into missing_permission. Read from the routes' own metadata,
// the same the global guard reads.
import 'reflect-metadata';
import { authorize, REQUIRE_STEP_UP, type StepUpOptions } from '@crm/auth';
import { REQUIRED_PERMISSIONS } from '@crm/http';
import { RegisterAccountRoute } from '../register-account/register-account.route.js';
import { AssignRolesRoute } from './assign-roles.route.js';

const STEP_UP_SECONDS = 300;
const NOW = 1_900_000_000;

const grants = [
  ['PUT /v1/users/:id/roles', AssignRolesRoute.prototype.assignRoles],
  ['POST /v1/users', RegisterAccountRoute.prototype.register],
] as const;

const requirementsOf = (handler: object) => {
  const stepUp = Reflect.getMetadata(REQUIRE_STEP_UP, handler) as StepUpOptions | undefined;
  return {
    permissions: Reflect.getMetadata(REQUIRED_PERMISSIONS, handler) as string[] | undefined,
    stepUpMaxAgeSeconds: stepUp === undefined ? undefined : (stepUp.maxAgeSeconds ?? STEP_UP_SECONDS),
  };
};

const claims = (perms: string[], mfaAgeSeconds: number) => ({ perms, amr: ['pwd', 'otp'], mfa_at: NOW - mfaAgeSeconds }) as Parameters<typeof authorize>[0];

describe.each(grants)('the grant %s', (_route, handler) => {
  it('declares roles:manage and a step-up', () => {
    const requirements = requirementsOf(handler);
    expect(requirements.permissions).toContain('roles:manage');
    expect(requirements.stepUpMaxAgeSeconds).toBe(STEP_UP_SECONDS);
  });

  it('given a holder of every permission whose second factor is older than the window, when authorized, then step_up_required', () => {
    expect(authorize(claims(['users:manage', 'roles:manage'], STEP_UP_SECONDS + 1), requirementsOf(handler), NOW)).toEqual({
      allowed: false,
      reason: 'step_up_required',
    });
  });

  it('given a fresh second factor, when authorized, then allowed', () => {
    expect(authorize(claims(['users:manage', 'roles:manage'], 10), requirementsOf(handler), NOW)).toEqual({ allowed: true });
  });

  it('given users:manage alone, however fresh, when authorized, then missing_permission', () => {
    expect(authorize(claims(['users:manage'], 10), requirementsOf(handler), NOW)).toEqual({ allowed: false, reason: 'missing_permission' });
  });
});
