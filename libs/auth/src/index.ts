export {
  PERMISSIONS,
  PERSONAL_DATA_PERMISSIONS,
  PURPOSE_PERMISSIONS,
  SENSITIVE_PERMISSIONS,
  isPermission,
  purposePermission,
  readsPersonalData,
  requiresMfa,
  type Permission,
} from './permissions/permission.catalogue.js';
export {
  BUILT_IN_ROLES,
  isBuiltInRole,
  permissionsOfRoles,
  secondFactorRequirement,
  type BuiltInRole,
  type RoleCatalogue,
  type SecondFactorPolicy,
  type SecondFactorRequirement,
} from './permissions/role.catalogue.js';
export {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  AUTHENTICATION_METHODS,
  CRM_TOKEN_AUDIENCE,
  CRM_TOKEN_ISSUER,
  REQUIRED_CLAIMS,
  SECOND_FACTOR_METHODS,
  hasSecondFactor,
  toAccessTokenClaims,
  type AccessTokenClaims,
  type AuthenticationMethod,
} from './tokens/access-token.claims.js';
export { ACCESS_TOKEN_STRATEGY, JwtVerifier, type JwtVerifierOptions, type VerificationKeys } from './tokens/jwt-verifier.js';
export { RedisRevocationList, REVOKED_SESSION_KEY_PREFIX, revokedSessionKey, type RevocationCheck } from './revocation/revocation-check.js';
export { AUTH_ERROR_CODES, authErrors, type AuthErrorCode } from './auth.errors.js';
export { authorize, DENIAL_REASONS, type AuthorizationDecision, type DenialReason, type RouteRequirements } from './guard/authorization.policy.js';
export {
  CurrentAuth,
  CurrentCaller,
  RequireStepUp,
  REQUIRE_STEP_UP,
  type AuthenticatedRequest,
  type Caller,
  type StepUpOptions,
} from './guard/auth.decorators.js';
export { AuthGuard, AUTH_GUARD_OPTIONS, JWT_VERIFIER, type AccessDenied, type AuthGuardOptions } from './guard/auth.guard.js';
