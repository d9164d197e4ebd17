import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
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
  REQUIRED_CLAIMS,
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

/**
 * Verifies platform access tokens (RFC 9068 profile, RFC 8725 BCP). Every decision that an attacker could try to
 * move into the token is pinned here instead: the algorithm (allow-list `ES256` only, so `alg: none` and the
 * HS256-with-the-public-key confusion attack are refused before any key is used), the key (selected from our JWKS
 * by `kid`, never from `jwk`/`jku`/`x5u` headers), the type (`at+jwt`, so no other JWT can be replayed as an access
 * token), issuer, audience and validity window. Failures surface as one `TOKEN_INVALID`, except `TOKEN_EXPIRED`
 * (clients refresh) and `TOKEN_REVOKED`. Neither the token nor its claims ever appear in an error.
 */
export class JwtVerifier {
  readonly #getKey: JWTVerifyGetKey;
  readonly #revocation: RevocationCheck;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #clockTolerance: number;
  readonly #maxTokenAge: number;
  readonly #now: () => Date;
  readonly #verifiedTtlMs: number;
  /**
   * Tokens verified lately, with the instant until which they stay valid without a new signature check: the
   * earliest of now + `verifiedTtlMs`, `exp` and `iat` + the maximum age (each with the clock tolerance), so a hit
   * is exactly a token that would verify again. An ES256 check costs a request ~0.3 ms of CPU, on every hop.
   */
  readonly #verified = new Map<string, { payload: Record<string, unknown>; until: number }>();

  constructor(options: JwtVerifierOptions) {
    const tolerance = options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS;
    if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
      throw new RangeError(`clockToleranceSeconds must be an integer from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
    }
    this.#getKey = keyResolver(options.keys, options.remote ?? {});
    this.#revocation = options.revocation;
    this.#issuer = options.issuer ?? CRM_TOKEN_ISSUER;
    this.#audience = options.audience ?? CRM_TOKEN_AUDIENCE;
    this.#clockTolerance = tolerance;
    this.#maxTokenAge = options.maxTokenAgeSeconds ?? 3600;
    this.#now = options.now ?? (() => new Date());
    this.#verifiedTtlMs = options.verifiedTtlMs ?? 60_000;
  }

  /** The claims of a valid, unrevoked access token; otherwise an `AppError` (kind `unauthenticated` or `unavailable`). */
  async verify(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) throw authErrors.tokenInvalid();
    const payload = this.#remembered(token) ?? (await this.#verifySignature(token));
    const claims = toAccessTokenClaims(payload);
    if (claims === undefined) throw authErrors.tokenInvalid();
    let revoked: boolean;
    try {
      revoked = await this.#revocation.isRevoked(claims.sid);
    } catch {
      // Fail closed: a verifier that cannot ask would otherwise accept tokens of sessions revoked for theft.
      throw authErrors.unavailable();
    }
    if (revoked) throw authErrors.tokenRevoked();
    return claims;
  }

  async #verifySignature(token: string): Promise<Record<string, unknown>> {
    const now = this.#now();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#getKey, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.#issuer,
        audience: this.#audience,
        requiredClaims: [...REQUIRED_CLAIMS],
        clockTolerance: this.#clockTolerance,
        maxTokenAge: this.#maxTokenAge,
        currentDate: now,
      }));
    } catch (error) {
      throw fromJoseError(error);
    }
    if (this.#verifiedTtlMs > 0 && typeof payload.exp === 'number' && typeof payload.iat === 'number') {
      const tolerance = this.#clockTolerance * 1000;
      const until = Math.min(now.getTime() + this.#verifiedTtlMs, payload.exp * 1000 + tolerance, (payload.iat + this.#maxTokenAge) * 1000 + tolerance);
      this.#verified.set(token, { payload, until });
      if (this.#verified.size > MAX_VERIFIED_TOKENS) this.#verified.delete(this.#verified.keys().next().value!);
    }
    return payload;
  }

  #remembered(token: string): Record<string, unknown> | undefined {
    const entry = this.#verified.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > this.#now().getTime()) return entry.payload;
    this.#verified.delete(token);
    return undefined;
  }
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

function fromJoseError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return authErrors.tokenExpired();
  return authErrors.tokenInvalid();
}
