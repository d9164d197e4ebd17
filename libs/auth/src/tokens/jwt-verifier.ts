import { KeyObject, type webcrypto } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import passport from 'passport';
import passportJwt, { type JwtFromRequestFunction, type SecretOrKeyProvider, type StrategyOptionsWithRequest } from 'passport-jwt';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { AppError } from '@crm/errors';
import { authErrors } from '../auth.errors.js';
import type { RevocationCheck } from '../revocation/revocation-check.js';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  CRM_TOKEN_AUDIENCE,
  CRM_TOKEN_ISSUER,
  toAccessTokenClaims,
  type AccessTokenClaims,
} from './access-token.claims.js';

/** Where verification keys come from: identity's JWKS URL, a fixed set, or a provider (identity's own key store). */
export type VerificationKeys = URL | JSONWebKeySet | (() => Promise<JSONWebKeySet>);

export interface JwtVerifierOptions {
  keys: VerificationKeys;
  revocation: RevocationCheck;
  issuer?: string;
  audience?: string;
  /** Leeway for clock skew between issuer and verifier, at most 5 s (default 5). */
  clockToleranceSeconds?: number;
  /**
   * Upper bound on `now - iat`, whatever `exp` says (default one hour). A token minted with an absurd lifetime —
   * a configuration slip, or a leaked signing key used to mint long-lived tokens — is refused anyway.
   */
  maxTokenAgeSeconds?: number;
  /** Tuning of the remote key set (only with a URL). */
  remote?: RemoteKeySetOptions;
  /**
   * How long a token whose signature and claims checked out is accepted again without redoing the signature check
   * (default 60 s, 0 turns it off). Never past the token's own validity; revocation is still asked every time.
   */
  verifiedTtlMs?: number;
  now?: () => Date;
}

export interface RemoteKeySetOptions {
  /** Minimum time between two fetches triggered by an unknown `kid` (default 5 s). */
  cooldownMs?: number;
  /** Refetch the key set when it is older than this, even without an unknown `kid` (default 5 min). */
  cacheMaxAgeMs?: number;
  /** Give up on a fetch after this long (default 2 s); the request is answered 503 `AUTH_UNAVAILABLE`. */
  timeoutMs?: number;
}

const MAX_CLOCK_TOLERANCE_SECONDS = 5;
/** Verified tokens remembered at most (a few hundred bytes each). */
const MAX_VERIFIED_TOKENS = 10_000;
/** A compact ES256 access token is well under 2 KiB; bigger inputs are refused before any parsing or crypto. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** RFC 6750 §2.1; the scheme is case-insensitive (RFC 9110 §11.1). Tokens in query strings are not accepted (§2.3). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The name the access-token strategy is registered under with passport (one per process: see `AuthGuard`). */
export const ACCESS_TOKEN_STRATEGY = 'crm-access-token';

/** What the strategy reads from a request: the `Authorization` header only. */
export interface BearerRequest {
  headers: { authorization?: string | undefined };
}

/** The Bearer token of a request, or `undefined` (no header, another scheme, a malformed value). */
export const bearerToken = (request: BearerRequest): string | undefined => {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
};

const { Strategy: JwtStrategy } = passportJwt;

/** A verified payload remembered for a while (see `verifiedTtlMs`). */
interface Remembered {
  payload: Record<string, unknown>;
  until: number;
}

/**
 * Verifies platform access tokens (RFC 9068 profile, RFC 8725 BCP) as a passport-jwt strategy (`@nestjs/passport`):
 * passport-jwt takes the Bearer token from the request and has jsonwebtoken check the signature, issuer, audience,
 * validity window and maximum age; this class supplies the key and the rules passport-jwt cannot express. Every
 * decision that an attacker could try to move into the token is pinned here instead: the algorithm (allow-list
 * `ES256` only, checked on the header before any key is looked up, so `alg: none` and the HS256-with-the-public-key
 * confusion attack never reach a key), the key (selected from our JWKS by `kid`, never from `jwk`/`jku`/`x5u`
 * headers), the type (`at+jwt`, so no other JWT can be replayed as an access token), the claims' shapes and the
 * session's revocation. Failures surface as one `TOKEN_INVALID`, except `TOKEN_EXPIRED` (clients refresh) and
 * `TOKEN_REVOKED`. Neither the token nor its claims ever appear in an error.
 *
 * `verify(token)` checks a token outside a request (identity's routes open to two kinds of caller, tests);
 * the global `AuthGuard` authenticates requests through passport with this strategy.
 */
export class JwtVerifier extends PassportStrategy(JwtStrategy, ACCESS_TOKEN_STRATEGY) {
  // Plain (not #private) members: passport runs `authenticate` on a per-request object whose prototype is this
  // strategy (`Object.create`), and private fields are not reachable through a prototype.
  private readonly revocation: RevocationCheck;
  private readonly now: () => Date;
  private readonly clockTolerance: number;
  private readonly maxTokenAge: number;
  private readonly verifiedTtlMs: number;
  /**
   * Tokens verified lately, with the instant until which they stay valid without a new signature check: the
   * earliest of now + `verifiedTtlMs`, `exp` and `iat` + the maximum age (each with the clock tolerance), so a hit
   * is exactly a token that would verify again. An ES256 check costs a request ~0.3 ms of CPU, on every hop.
   */
  private readonly verified = new Map<string, Remembered>();

  constructor(options: JwtVerifierOptions) {
    const tolerance = options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS;
    if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
      throw new RangeError(`clockToleranceSeconds must be an integer from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
    }
    const maxTokenAge = options.maxTokenAgeSeconds ?? 3600;
    const strategyOptions: StrategyOptionsWithRequest = {
      jwtFromRequest: bearerToken as JwtFromRequestFunction,
      secretOrKeyProvider: keyProvider(keyResolver(options.keys, options.remote ?? {})),
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: options.issuer ?? CRM_TOKEN_ISSUER,
      audience: options.audience ?? CRM_TOKEN_AUDIENCE,
      jsonWebTokenOptions: { clockTolerance: tolerance, maxAge: maxTokenAge },
      passReqToCallback: true,
    };
    super(strategyOptions);
    this.revocation = options.revocation;
    this.now = options.now ?? (() => new Date());
    this.clockTolerance = tolerance;
    this.maxTokenAge = maxTokenAge;
    this.verifiedTtlMs = options.verifiedTtlMs ?? 60_000;
  }

  /** The claims of a valid, unrevoked access token; otherwise an `AppError` (kind `unauthenticated` or `unavailable`). */
  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw authErrors.tokenInvalid();
    const request = { headers: { authorization: `Bearer ${token}` } } as Request;
    return new Promise<AccessTokenClaims>((resolve, reject) => {
      // A fresh object per call, as passport makes one per request from a registered strategy.
      const strategy = Object.create(this) as passport.Strategy;
      passport.authenticate(strategy, { session: false }, (error: unknown, claims: AccessTokenClaims | false, info: unknown) => {
        if (claims === false || claims === undefined) reject(authenticationError(error, info));
        else resolve(claims);
      })(request, {}, (error: unknown) => reject(authenticationError(error, undefined)));
    });
  }

  /**
   * passport-jwt's `authenticate`, except that a token remembered as verified skips the signature check (its claims
   * and revocation are still checked). Runs on passport's per-request object.
   */
  override authenticate(request: Request, options?: unknown): void {
    const now = this.now();
    const token = bearerToken(request);
    const remembered = token === undefined ? undefined : this.remembered(token, now.getTime());
    if (remembered !== undefined) {
      this.validate(request, remembered).then(
        (claims) => this.success(claims),
        (error: unknown) => this.error(error as Error),
      );
      return;
    }
    // jsonwebtoken judges the validity window on this clock (an injected one in tests).
    const self = this as unknown as { _verifOpts: Record<string, unknown> };
    self._verifOpts = { ...self._verifOpts, clockTimestamp: Math.floor(now.getTime() / 1000) };
    super.authenticate(request, options);
  }

  /** passport-jwt's verify callback: the signature and registered claims checked out; now the platform's own. */
  async validate(request: BearerRequest, payload: Record<string, unknown>): Promise<AccessTokenClaims> {
    const claims = toAccessTokenClaims(payload);
    if (claims === undefined) throw authErrors.tokenInvalid();
    let revoked: boolean;
    try {
      revoked = await this.revocation.isRevoked(claims.sid);
    } catch {
      // Fail closed: a verifier that cannot ask would otherwise accept tokens of sessions revoked for theft.
      throw authErrors.unavailable();
    }
    if (revoked) throw authErrors.tokenRevoked();
    this.remember(bearerToken(request), payload);
    return claims;
  }

  private remember(token: string | undefined, payload: Record<string, unknown>): void {
    if (token === undefined || this.verifiedTtlMs <= 0 || this.verified.has(token)) return;
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return;
    const tolerance = this.clockTolerance * 1000;
    const until = Math.min(this.now().getTime() + this.verifiedTtlMs, payload.exp * 1000 + tolerance, (payload.iat + this.maxTokenAge) * 1000 + tolerance);
    this.verified.set(token, { payload, until });
    if (this.verified.size > MAX_VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
  }

  private remembered(token: string, nowMs: number): Record<string, unknown> | undefined {
    const entry = this.verified.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > nowMs) return entry.payload;
    this.verified.delete(token);
    return undefined;
  }
}

/**
 * The outcome of a failed passport authentication as the platform's error: `error` is what `validate` threw
 * (revoked, unavailable, malformed claims), `info` what the key provider refused or jsonwebtoken reported.
 */
export function authenticationError(error: unknown, info: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error !== null && error !== undefined) return authErrors.tokenInvalid();
  if (info instanceof AppError) return info;
  if (info instanceof Error && info.name === 'TokenExpiredError') return authErrors.tokenExpired();
  return authErrors.tokenInvalid();
}

/**
 * passport-jwt's `secretOrKeyProvider`: refuses what must never reach a key (oversized or non-compact input, any
 * algorithm but ES256, another `typ`, critical extensions), then looks the `kid` up in the key set (JWKS or key
 * store, as before) and hands jsonwebtoken the public key.
 */
function keyProvider(getKey: JWTVerifyGetKey): SecretOrKeyProvider<BearerRequest> {
  const keyObjects = new WeakMap<object, KeyObject>();
  const find = async (token: unknown): Promise<KeyObject> => {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw authErrors.tokenInvalid();
    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters;
    } catch {
      throw authErrors.tokenInvalid();
    }
    if (header.alg !== ACCESS_TOKEN_ALGORITHM || normalisedType(header.typ) !== ACCESS_TOKEN_TYPE || header.crit !== undefined) throw authErrors.tokenInvalid();
    const [protectedHeader, payload, signature] = token.split('.') as [string, string, string];
    let key: unknown;
    try {
      key = await getKey({ ...header, alg: ACCESS_TOKEN_ALGORITHM }, { protected: protectedHeader, payload, signature });
    } catch (error) {
      throw error instanceof AppError ? error : authErrors.tokenInvalid();
    }
    if (!(key instanceof KeyObject) && !isCryptoKey(key)) throw authErrors.tokenInvalid();
    if (key instanceof KeyObject) return key;
    let keyObject = keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = KeyObject.from(key);
      keyObjects.set(key, keyObject);
    }
    return keyObject;
  };
  return (_request, token, done) => {
    find(token).then(
      (key) => done(null, key as unknown as string),
      (error: unknown) => done(error),
    );
  };
}

/** RFC 8725 §3.11 / jose: `typ` compared case-insensitively, with or without the `application/` prefix. */
function normalisedType(typ: unknown): string | undefined {
  return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
}

function isCryptoKey(key: unknown): key is webcrypto.CryptoKey {
  return typeof key === 'object' && key !== null && (key as { type?: unknown }).type === 'public' && 'algorithm' in key;
}

function keyResolver(keys: VerificationKeys, tuning: RemoteKeySetOptions): JWTVerifyGetKey {
  if (keys instanceof URL) {
    const remote = createRemoteJWKSet(keys, {
      timeoutDuration: tuning.timeoutMs ?? 2_000,
      cooldownDuration: tuning.cooldownMs ?? 5_000,
      cacheMaxAge: tuning.cacheMaxAgeMs ?? 5 * 60_000,
    });
    return async (header, token) => {
      // An unknown `kid` makes jose refetch the set, which is how verifiers learn a freshly rotated key. The
      // cooldown (which stops a flood of made-up kids from hammering identity) can delay that refetch; a kid we
      // could not look up yet is "try again shortly" (503), not "invalid" (which would send the user to log in).
      const couldRefetch = !remote.coolingDown;
      try {
        return await unavailableOnFailure(() => remote(header, token));
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey && !couldRefetch) throw authErrors.unavailable();
        throw error;
      }
    };
  }
  if (typeof keys !== 'function') {
    const local = createLocalJWKSet(keys);
    return (header, token) => local(header, token);
  }
  // A provider (identity verifying with its own store): re-import only when the store hands out a new key set.
  let cached: { jwks: JSONWebKeySet; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;
  return async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const jwks = await unavailableOnFailure(keys);
    if (cached?.jwks !== jwks) cached = { jwks, resolve: createLocalJWKSet(jwks) };
    return cached.resolve(header, token);
  };
}

/**
 * The key set could not be fetched or parsed (identity down, a network error, a broken response): not the caller's
 * fault and no reason for a client to drop its token, so it becomes a retriable 503 rather than a 401. jose's base
 * `JOSEError` (generic code) is thrown only by the JWKS fetch; anything that is not a JOSE error there is the fetch.
 */
async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const keySetProblem =
      !(error instanceof errors.JOSEError) ||
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      error.code === errors.JOSEError.code;
    throw keySetProblem ? authErrors.unavailable() : error;
  }
}
