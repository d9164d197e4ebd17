import { readsPersonalData, requiresMfa } from '../permissions/permission.catalogue.js';
import { hasSecondFactor, type AccessTokenClaims } from '../tokens/access-token.claims.js';

/** What a route declares, read from its decorators (see `AuthGuard`). */
export interface RouteRequirements {
  /** `undefined` when the route declares no `@RequirePermissions(…)` at all: denied by default. */
  permissions: readonly string[] | undefined;
  /** From `@RequireAnyPermission(…)`: at least one of these is needed as well. */
  anyOf?: readonly string[] | undefined;
  /** Maximum age of the last second-factor check, when the route carries `@RequireStepUp()`. */
  stepUpMaxAgeSeconds: number | undefined;
}

export const DENIAL_REASONS = ['no_policy', 'missing_permission', 'mfa_required', 'step_up_required'] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export type AuthorizationDecision = { allowed: true } | { allowed: false; reason: DenialReason };

/** A second-factor time stamp further in the future than this is not believed (issuer/verifier clock skew). */
const FUTURE_SKEW_SECONDS = 5;

/**
 * Whether an authenticated caller may use a route. Pure: the caller supplies the time. The order matters for what
 * the client is told: a missing permission is final; a missing second factor or a stale one can be fixed by the
 * user, so those are reported only when the permissions themselves suffice.
 */
export function authorize(
  claims: Pick<AccessTokenClaims, 'perms' | 'amr' | 'mfa_at' | 'mfa_exempt'>,
  route: RouteRequirements,
  nowSeconds: number,
): AuthorizationDecision {
  if (route.permissions === undefined) return { allowed: false, reason: 'no_policy' };
  const held = new Set<string>(claims.perms);
  if (!route.permissions.every((permission) => held.has(permission))) return { allowed: false, reason: 'missing_permission' };
  if (route.anyOf !== undefined && !route.anyOf.some((permission) => held.has(permission))) return { allowed: false, reason: 'missing_permission' };
  // Judged on everything the holder *could* do, not on this route: a password-only session of a DPO must not be
  // usable at all, or a phished password alone would reach the DPO's other powers through the gentler routes.
  // Personal data is behind a second factor too, unless identity's configuration exempted the holder's roles.
  if (!hasSecondFactor(claims) && secondFactorNeeded(claims)) return { allowed: false, reason: 'mfa_required' };
  if (route.stepUpMaxAgeSeconds !== undefined) {
    const at = claims.mfa_at;
    const fresh = at !== undefined && at <= nowSeconds + FUTURE_SKEW_SECONDS && nowSeconds - at <= route.stepUpMaxAgeSeconds;
    if (!fresh) return { allowed: false, reason: 'step_up_required' };
  }
  return { allowed: true };
}

/** Whether the holder of these claims may act only after a second factor (see `secondFactorRequirement`). */
function secondFactorNeeded(claims: Pick<AccessTokenClaims, 'perms' | 'mfa_exempt'>): boolean {
  return requiresMfa(claims.perms) || (readsPersonalData(claims.perms) && claims.mfa_exempt !== true);
}
