import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { authErrors } from '../auth.errors.js';
import type { AccessTokenClaims } from '../tokens/access-token.claims.js';

export const REQUIRE_STEP_UP = 'crm:step-up';

export interface StepUpOptions {
  /** How recent the last second-factor check must be; defaults to the guard's window (5 minutes). */
  maxAgeSeconds?: number;
}

/**
 * Marks an operation sensitive enough to demand a *recent* second factor (`mfa_at` within the window), not just a
 * session that once had one: a stolen session or an unlocked, unattended screen cannot export or erase data.
 * It adds to `@RequirePermissions(…)`, it does not replace it.
 */
export const RequireStepUp = (options: StepUpOptions = {}): MethodDecorator & ClassDecorator => {
  if (options.maxAgeSeconds !== undefined && (!Number.isInteger(options.maxAgeSeconds) || options.maxAgeSeconds <= 0)) {
    throw new RangeError('maxAgeSeconds must be a positive integer');
  }
  return SetMetadata(REQUIRE_STEP_UP, options);
};

/** The request as the guard leaves it: the verified claims of the caller. */
export interface AuthenticatedRequest {
  auth?: AccessTokenClaims;
}

/**
 * The verified claims of the caller, as a handler parameter: `handler(@CurrentAuth() auth: AccessTokenClaims)`.
 * On a route without authentication (a `@Public()` one) there are none, and asking for them is refused.
 */
export const CurrentAuth = createParamDecorator((_data: unknown, context: ExecutionContext): AccessTokenClaims => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (auth === undefined) throw authErrors.unauthenticated();
  return auth;
});

/** Who is asking, and in which request: the verified claims and the request they came with (for correlation ids). */
export interface Caller {
  auth: AccessTokenClaims;
  request: Request;
}

/** The caller of a guarded route, as a handler parameter: `handler(@CurrentCaller() caller: Caller)`. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
  if (request.auth === undefined) throw authErrors.unauthenticated();
  return { auth: request.auth, request };
});
