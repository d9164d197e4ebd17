import { isPermission, type Permission } from '../permissions/permission.catalogue.js';

/** RFC 9068 §2.1: the `typ` header of a JWT access token, so an ID token or any other JWT cannot pass as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The only signature algorithm issued and accepted (RFC 8725 §3.1: an allow-list, never the header's choice). */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** `iss` of every access token identity issues; verifiers compare it exactly (RFC 8725 §3.8). */
export const CRM_TOKEN_ISSUER = 'crm-identity';

/** `aud` of access tokens for the platform's API (RFC 8725 §3.9: a token for another audience is not accepted). */
export const CRM_TOKEN_AUDIENCE = 'crm-api';

/** Authentication methods (RFC 8176 values): password, one-time password (TOTP), recovery code. */
export const AUTHENTICATION_METHODS = ['pwd', 'otp', 'rec'] as const;
export type AuthenticationMethod = (typeof AUTHENTICATION_METHODS)[number];

/** The methods that count as a second factor. */
export const SECOND_FACTOR_METHODS: readonly AuthenticationMethod[] = ['otp', 'rec'];

export interface AccessTokenClaims {
  /** The user id (never an e-mail address: tokens end up in logs of proxies and browsers). */
  sub: string;
  iss: string;
  aud: string | string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  /** The session: the refresh-token family this token was minted from. Revoking it kills the token at once. */
  sid: string;
  roles: string[];
  perms: Permission[];
  amr: string[];
  /** Epoch seconds of the last second-factor check, for step-up on sensitive operations. */
  mfa_at?: number;
  /**
   * `true` when identity's configuration exempts every role of the holder that can see personal data from the
   * second factor (`CRM_MFA_EXEMPT_ROLES`); absent otherwise. Without it, a holder of a personal-data permission
   * must have used a second factor. It never waives a sensitive permission's requirement.
   */
  mfa_exempt?: true;
}

/** The claims every access token must carry; a token missing one is rejected before it is read. */
export const REQUIRED_CLAIMS = ['sub', 'iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'sid', 'roles', 'perms', 'amr'] as const;

const MAX_ID_LENGTH = 128;
const MAX_LIST_LENGTH = 64;

/**
 * Narrows a verified payload to the platform's claims, or `undefined` when a custom claim has the wrong shape.
 * Registered claims (`iss`, `aud`, `exp`, …) are checked by jose; this checks what jose does not know.
 *
 * Unknown permissions are dropped rather than failing the token: during a rolling deploy identity may know a
 * permission a verifier does not yet, and an unknown permission grants nothing here anyway (fail closed).
 */
export function toAccessTokenClaims(payload: Record<string, unknown>): AccessTokenClaims | undefined {
  const { sub, iss, aud, iat, nbf, exp, jti, sid, roles, perms, amr, mfa_at: mfaAt, mfa_exempt: mfaExempt } = payload;
  if (!isId(sub) || !isId(sid) || !isId(jti) || typeof iss !== 'string') return undefined;
  if (!(typeof aud === 'string' || isStringList(aud))) return undefined;
  if (!isEpoch(iat) || !isEpoch(nbf) || !isEpoch(exp)) return undefined;
  if (!isStringList(roles) || !isStringList(amr) || !isStringList(perms)) return undefined;
  if (mfaAt !== undefined && !isEpoch(mfaAt)) return undefined;
  if (mfaExempt !== undefined && mfaExempt !== true) return undefined;
  const claims: AccessTokenClaims = { sub, iss, aud, iat, nbf, exp, jti, sid, roles, perms: perms.filter(isPermission), amr };
  if (mfaAt !== undefined) claims.mfa_at = mfaAt;
  if (mfaExempt === true) claims.mfa_exempt = true;
  return claims;
}

/** True when the token was obtained with a second factor (RFC 8176 `otp` or our `rec`). */
export function hasSecondFactor(claims: Pick<AccessTokenClaims, 'amr'>): boolean {
  return claims.amr.some((method) => (SECOND_FACTOR_METHODS as readonly string[]).includes(method));
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_LIST_LENGTH && value.every((item) => typeof item === 'string' && item.length <= MAX_ID_LENGTH);
}
