import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_TYPE,
  AUTHENTICATION_METHODS,
  CRM_TOKEN_AUDIENCE,
  CRM_TOKEN_ISSUER,
  isPermission,
  type AuthenticationMethod,
  type Permission,
} from '@crm/auth';
import { AppError } from '@crm/errors';
import { SigningKeyStore } from '../signing-keys/signing-key.store.js';

export interface AccessTokenRequest {
  userId: string;
  roles: readonly string[];
  permissions: readonly Permission[];
  /** How the user authenticated in this session (RFC 8176 values). */
  amr: readonly AuthenticationMethod[];
  /** When the user last passed a second factor (for step-up); undefined when never in this session. */
  mfaAt?: Date | undefined;
  /** The refresh-token family (`sid`), so revoking the session reaches this token too. */
  sessionId: string;
  /** Configuration exempts the holder's roles from the second factor for personal data (claim `mfa_exempt`). */
  mfaExempt?: boolean;
}

export interface AccessTokenIssuerOptions {
  issuer?: string;
  audience?: string;
  lifetimeSeconds?: number;
  /** The time: the service's injected `CLOCK`, or a test's. */
  now: () => Date;
}

/**
 * Mints access tokens: compact JWS, ES256 with the store's current key, `typ: at+jwt` (RFC 9068 §2.1). The claims
 * are what every verifier needs to decide alone — who, which session, which permissions, how they authenticated —
 * and nothing personal: no name, no e-mail (a JWT is only signed, anyone holding it can read it).
 */
export class AccessTokenIssuer {
  readonly lifetimeSeconds: number;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #now: () => Date;

  constructor(
    private readonly keys: SigningKeyStore,
    options: AccessTokenIssuerOptions,
  ) {
    this.lifetimeSeconds = options.lifetimeSeconds ?? 600;
    if (!Number.isInteger(this.lifetimeSeconds) || this.lifetimeSeconds < 60 || this.lifetimeSeconds > 3600) {
      throw new RangeError('access-token lifetime must be 60–3600 s (verifiers refuse tokens older than an hour)');
    }
    this.#issuer = options.issuer ?? CRM_TOKEN_ISSUER;
    this.#audience = options.audience ?? CRM_TOKEN_AUDIENCE;
    this.#now = options.now;
  }

  /** A signed access token (compact JWS). */
  async issue(request: AccessTokenRequest): Promise<string> {
    assertRequest(request);
    const key = await this.keys.current();
    const now = Math.floor(this.#now().getTime() / 1000);
    const claims: Record<string, unknown> = {
      sid: request.sessionId,
      roles: [...request.roles],
      perms: [...request.permissions],
      amr: [...request.amr],
    };
    if (request.mfaAt !== undefined) claims.mfa_at = Math.floor(request.mfaAt.getTime() / 1000);
    if (request.mfaExempt === true) claims.mfa_exempt = true;
    return (
      new SignJWT(claims)
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
        .setSubject(request.userId)
        .setIssuer(this.#issuer)
        .setAudience(this.#audience)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + this.lifetimeSeconds)
        // 128 random bits: unique per token, so a verifier or audit trail can refer to one token without holding it.
        .setJti(randomBytes(16).toString('base64url'))
        .sign(key.privateKey)
    );
  }
}

function assertRequest(request: AccessTokenRequest): void {
  const problems: string[] = [];
  if (!isId(request.userId)) problems.push('userId');
  if (!isId(request.sessionId)) problems.push('sessionId');
  if (!request.roles.every(isId)) problems.push('roles');
  if (!request.permissions.every((permission) => isPermission(permission))) problems.push('permissions');
  if (request.amr.length === 0 || !request.amr.every((method) => (AUTHENTICATION_METHODS as readonly string[]).includes(method))) problems.push('amr');
  if (request.mfaAt !== undefined && Number.isNaN(request.mfaAt.getTime())) problems.push('mfaAt');
  // A bug in a caller, not a client error: refuse to sign rather than mint a token that verifiers would reject.
  if (problems.length > 0) throw new AppError('ACCESS_TOKEN_REQUEST_INVALID', 'internal', 'cannot issue an access token', { details: { fields: problems } });
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128;
}
