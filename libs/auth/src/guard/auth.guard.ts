import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, type AuthGuardAuthenticateOptions } from '@nestjs/passport';
import type { Request, Response } from 'express';
import passport from 'passport';
import { AppError, correlationId, IS_PUBLIC, REQUIRED_ANY_PERMISSION, REQUIRED_PERMISSIONS } from '@crm/http';
import { authErrors } from '../auth.errors.js';
import type { AccessTokenClaims } from '../tokens/access-token.claims.js';
import { ACCESS_TOKEN_STRATEGY, authenticationError, bearerToken, JwtVerifier } from '../tokens/jwt-verifier.js';
import { REQUIRE_STEP_UP, type AuthenticatedRequest, type StepUpOptions } from './auth.decorators.js';
import { authorize, type DenialReason, type RouteRequirements } from './authorization.policy.js';

export const JWT_VERIFIER = Symbol('JWT_VERIFIER');
export const AUTH_GUARD_OPTIONS = Symbol('AUTH_GUARD_OPTIONS');

/** What the guard reports when it refuses an authenticated caller: ids and route template only, no personal data. */
export interface AccessDenied {
  /** `GET /v1/contacts/:id` — the template, never the URL (paths and queries can carry e-mail addresses). */
  route: string;
  /** The request's correlation id, so the denial joins the rest of the trace. */
  correlationId: string;
  /** The user id from the token. */
  sub: string;
  reason: DenialReason;
  /** The permissions the route requires. */
  permissions: readonly string[];
}

export interface AuthGuardOptions {
  /** Default window of `@RequireStepUp()`, in seconds (default 300). */
  stepUpMaxAgeSeconds?: number;
  /**
   * Called for every 403 (e.g. to publish a `PermissionDenied` audit event). Awaited, so the event is out before
   * the answer; a failing hook never turns a denial into something else, so it must report its own errors.
   */
  onDenied?: (denied: AccessDenied) => void | Promise<void>;
  now?: () => Date;
}

const DEFAULT_STEP_UP_SECONDS = 5 * 60;

/**
 * The global guard of every service: authentication *and* authorisation in one
 * place, deny by default.
 *
 * 1. `@Public()` → allowed without a token.
 * 2. Otherwise a valid Bearer access token is required (401 `UNAUTHENTICATED`, `TOKEN_INVALID`, `TOKEN_EXPIRED`,
 *    `TOKEN_REVOKED`): passport authenticates the request with the access-token strategy (`JwtVerifier`, a
 *    passport-jwt strategy) and the claims are attached as `request.auth` (see `@CurrentAuth()`).
 * 3. The route must declare `@RequirePermissions(…)` (an empty list means "any signed-in user") and the token must
 *    hold all of them (403 `FORBIDDEN`); a route declaring nothing is refused to everybody.
 * 4. A holder of a sensitive permission must have used a second factor (403 `MFA_REQUIRED`); a `@RequireStepUp()`
 *    route needs a recent one (403 `STEP_UP_REQUIRED`).
 *
 * A handler-level `@Public()` opens one route of a guarded controller; a class-level `@Public()` does not open a
 * handler that declares permissions, so a guarded route cannot be opened by accident from far away.
 *
 * Passport knows one access-token strategy per process, by name: the guard registers the verifier it is given, so
 * the strategy it authenticates with is always the one it was built with.
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard(ACCESS_TOKEN_STRATEGY) implements CanActivate {
  readonly #stepUpSeconds: number;
  readonly #onDenied: AuthGuardOptions['onDenied'];
  readonly #now: () => Date;

  constructor(
    private readonly reflector: Reflector,
    @Inject(JWT_VERIFIER) verifier: JwtVerifier,
    @Optional() @Inject(AUTH_GUARD_OPTIONS) options: AuthGuardOptions | undefined,
  ) {
    super();
    passport.use(ACCESS_TOKEN_STRATEGY, verifier);
    this.#stepUpSeconds = options?.stepUpMaxAgeSeconds ?? DEFAULT_STEP_UP_SECONDS;
    if (!Number.isInteger(this.#stepUpSeconds) || this.#stepUpSeconds <= 0) throw new RangeError('stepUpMaxAgeSeconds must be a positive integer');
    this.#onDenied = options?.onDenied;
    this.#now = options?.now ?? (() => new Date());
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw authErrors.unauthenticated();
    const handler = context.getHandler();
    const controller = context.getClass();
    const handlerPermissions = this.reflector.get<string[] | undefined>(REQUIRED_PERMISSIONS, handler);
    const handlerPublic = this.reflector.get<boolean | undefined>(IS_PUBLIC, handler);
    const classPublic = this.reflector.get<boolean | undefined>(IS_PUBLIC, controller);
    if (handlerPublic === true || (handlerPermissions === undefined && classPublic === true)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<Request & AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    await super.canActivate(context);
    const claims = request.auth;
    // Passport either attached the claims or threw through handleRequest; anything else is a refusal, never a pass.
    if (claims === undefined) throw authErrors.unauthenticated();

    const requirements = this.#requirements(handlerPermissions, controller, handler);
    const decision = authorize(claims, requirements, Math.floor(this.#now().getTime() / 1000));
    if (decision.allowed) return true;
    await this.#reportDenial({
      route: routeOf(request),
      correlationId: correlationId(request),
      sub: claims.sub,
      reason: decision.reason,
      permissions: [...(requirements.permissions ?? []), ...(requirements.anyOf ?? [])],
    });
    if (decision.reason === 'missing_permission') response.setHeader('WWW-Authenticate', 'Bearer realm="crm", error="insufficient_scope"');
    throw denialError(decision.reason, requirements.stepUpMaxAgeSeconds ?? this.#stepUpSeconds);
  }

  /** Passport's options: no session, the claims at `request.auth`. */
  override getAuthenticateOptions(): AuthGuardAuthenticateOptions {
    return { session: false, property: 'auth' };
  }

  /** Passport's outcome: the claims, or the platform's 401 with its `WWW-Authenticate` challenge. */
  override handleRequest<TUser = AccessTokenClaims>(error: unknown, claims: unknown, info: unknown, context: ExecutionContext): TUser {
    if (error === null && claims !== false && claims !== undefined && claims !== null) return claims as TUser;
    const http = context.switchToHttp();
    const response = http.getResponse<Response>();
    if (bearerToken(http.getRequest<Request>()) === undefined) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="crm"');
      throw authErrors.unauthenticated();
    }
    const failure = authenticationError(error ?? undefined, info);
    if (failure.kind === 'unauthenticated') response.setHeader('WWW-Authenticate', 'Bearer realm="crm", error="invalid_token"');
    throw failure;
  }

  #requirements(handlerPermissions: string[] | undefined, controller: object, handler: object): RouteRequirements {
    const classPermissions = this.reflector.get<string[] | undefined>(REQUIRED_PERMISSIONS, controller as never);
    // Both levels apply: a controller-wide requirement is not waived by a handler adding its own.
    const permissions =
      handlerPermissions === undefined && classPermissions === undefined
        ? undefined
        : [...new Set([...(classPermissions ?? []), ...(handlerPermissions ?? [])])];
    const stepUp = this.reflector.getAllAndOverride<StepUpOptions | undefined>(REQUIRE_STEP_UP, [handler as never, controller as never]);
    const anyOf = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ANY_PERMISSION, [handler as never, controller as never]);
    return { permissions, anyOf, stepUpMaxAgeSeconds: stepUp === undefined ? undefined : (stepUp.maxAgeSeconds ?? this.#stepUpSeconds) };
  }

  async #reportDenial(denied: AccessDenied): Promise<void> {
    if (this.#onDenied === undefined) return;
    try {
      await this.#onDenied(denied);
    } catch {
      // The caller is refused either way; the hook owns reporting its own failures (see AuthGuardOptions).
    }
  }
}

function denialError(reason: DenialReason, stepUpSeconds: number): AppError {
  switch (reason) {
    case 'no_policy':
    case 'missing_permission':
      return authErrors.forbidden();
    case 'mfa_required':
      return authErrors.mfaRequired();
    case 'step_up_required':
      return authErrors.stepUpRequired(stepUpSeconds);
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
}

function routeOf(request: Request): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  const template = typeof route?.path === 'string' ? `${request.baseUrl}${route.path}` : '(unknown route)';
  return `${request.method} ${template}`;
}
