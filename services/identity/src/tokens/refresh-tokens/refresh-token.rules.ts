/**
 * The decisions of refresh-token rotation, as pure functions (time is an argument). See docs/tokens.md.
 */
export type RefreshTokenVerdict = 'valid' | 'reused' | 'revoked' | 'expired';

export interface RefreshTokenState {
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * Reuse is judged first: a token that was already exchanged can only be presented again by someone replaying a
 * copy — the thief or the victim, we cannot tell which — so the whole family must die (OAuth 2.0 Security BCP,
 * RFC 9700 §4.14.2), even when the family is already revoked or expired.
 */
export function judgeRefreshToken(token: RefreshTokenState, now: Date): RefreshTokenVerdict {
  if (token.usedAt !== null) return 'reused';
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

export interface RefreshLifetimes {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** A new session: the absolute limit starts counting now and never moves. */
export function sessionExpiry(now: Date, lifetimes: RefreshLifetimes): Date {
  return new Date(now.getTime() + lifetimes.absoluteSeconds * 1000);
}

/** Each token lives `idleSeconds`, but never past the session's absolute limit. */
export function tokenExpiry(now: Date, sessionExpiresAt: Date, lifetimes: RefreshLifetimes): Date {
  return new Date(Math.min(now.getTime() + lifetimes.idleSeconds * 1000, sessionExpiresAt.getTime()));
}

/** Why a session was ended; stored with the rows and published by the caller. Never free text (no PII). */
export const SESSION_REVOCATION_REASONS = [
  'logout',
  'logout_everywhere',
  'refresh_token_reused',
  'password_changed',
  'mfa_changed',
  'roles_changed',
  'user_disabled',
  'administrator',
] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

export function isSessionRevocationReason(value: unknown): value is SessionRevocationReason {
  return typeof value === 'string' && (SESSION_REVOCATION_REASONS as readonly string[]).includes(value);
}
