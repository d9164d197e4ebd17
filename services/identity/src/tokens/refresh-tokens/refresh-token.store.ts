import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AUTHENTICATION_METHODS, type AuthenticationMethod, type RedisRevocationList } from '@crm/auth';
import { quoteIdent } from '@crm/eventstore';
import { AppError } from '@crm/errors';
import { withTransaction, type Pool, type PoolClient } from '@crm/postgres';
import {
  isSessionRevocationReason,
  judgeRefreshToken,
  sessionExpiry,
  SESSION_REVOCATION_REASONS,
  tokenExpiry,
  type RefreshLifetimes,
  type SessionRevocationReason,
} from './refresh-token.rules.js';

export interface RefreshTokenStoreOptions {
  pool: Pool;
  /** Where revoked sessions are announced to every verifier. */
  revocations: Pick<RedisRevocationList, 'revoke'>;
  /** Postgres schema of the table (identity's, or a test's scratch schema). */
  schema: string;
  /** The access-token lifetime: how long a revoked session must stay on the revocation list. */
  accessTokenLifetimeSeconds: number;
  idleLifetimeSeconds?: number;
  absoluteLifetimeSeconds?: number;
  /** The time: the service's injected `CLOCK`, or a test's. */
  now: () => Date;
  /** Told after every committed revocation (for the audit trail); its failure is the caller's to report. */
  onRevoked?: (sessions: RevokedSession[], reason: SessionRevocationReason) => Promise<void>;
}

export interface RevokedSession {
  sessionId: string;
  userId: string;
}

export interface SessionAuthentication {
  amr: readonly AuthenticationMethod[];
  mfaAt?: Date | undefined;
}

export interface LiveSession {
  sessionId: string;
  startedAt: Date;
  /** When its refresh token was last rotated (sign-in or refresh). */
  lastActiveAt: Date;
  /** The absolute end of the session. */
  expiresAt: Date;
  amr: AuthenticationMethod[];
  mfaAt: Date | undefined;
}

export interface StartedSession {
  refreshToken: string;
  sessionId: string;
  expiresAt: Date;
}

export interface RotatedRefreshToken {
  refreshToken: string;
  sessionId: string;
  userId: string;
  amr: AuthenticationMethod[];
  mfaAt: Date | undefined;
  expiresAt: Date;
}

interface TokenRow {
  session_id: string;
  user_id: string;
  amr: string[];
  mfa_at: Date | null;
  session_expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date;
}

/** 256 bits from the CSPRNG (RFC 9700 §4.14: refresh tokens must not be guessable), base64url: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;
/** Verifiers accept an access token this long past its `exp`; a revocation entry must outlive that too. */
const VERIFIER_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Rotating refresh tokens with reuse detection (RFC 9700 §4.14.2), on identity's Postgres database.
 *
 * Every exchange consumes the presented token and issues its successor in the same session ("family"). Presenting
 * a consumed token again means a copy exists somewhere: the whole session is revoked — in Postgres, and on the
 * Redis revocation list so the session's live access tokens stop working at every verifier at once.
 */
export class RefreshTokenStore {
  readonly #pool: Pool;
  readonly #revocations: Pick<RedisRevocationList, 'revoke'>;
  readonly #table: string;
  readonly #lifetimes: RefreshLifetimes;
  readonly #revocationTtlSeconds: number;
  readonly #now: () => Date;

  readonly #onRevoked: RefreshTokenStoreOptions['onRevoked'];

  constructor(options: RefreshTokenStoreOptions) {
    this.#onRevoked = options.onRevoked;
    this.#pool = options.pool;
    this.#revocations = options.revocations;
    this.#table = `${quoteIdent(options.schema)}.refresh_tokens`;
    this.#lifetimes = { idleSeconds: options.idleLifetimeSeconds ?? 24 * 3600, absoluteSeconds: options.absoluteLifetimeSeconds ?? 14 * 24 * 3600 };
    this.#revocationTtlSeconds = options.accessTokenLifetimeSeconds + VERIFIER_CLOCK_TOLERANCE_SECONDS;
    this.#now = options.now;
  }

  /** Starts a session after a successful sign-in: its first refresh token and its id (the access tokens' `sid`). */
  async startSession(userId: string, authentication: SessionAuthentication): Promise<StartedSession> {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > 128) throw new RangeError('userId must be 1–128 characters');
    const amr = [...authentication.amr];
    if (amr.length === 0 || !amr.every(isAuthenticationMethod)) throw new RangeError(`amr must be a non-empty list of ${AUTHENTICATION_METHODS.join(', ')}`);
    const now = this.#now();
    const sessionId = randomUUID();
    const sessionExpiresAt = sessionExpiry(now, this.#lifetimes);
    const expiresAt = tokenExpiry(now, sessionExpiresAt, this.#lifetimes);
    const refreshToken = newToken();
    await this.#pool.query(
      `INSERT INTO ${this.#table} (token_hash, session_id, user_id, parent_hash, amr, mfa_at, created_at, expires_at, session_expires_at)
       VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)`,
      [hashOf(refreshToken), sessionId, userId, amr, authentication.mfaAt ?? null, now, expiresAt, sessionExpiresAt],
    );
    return { refreshToken, sessionId, expiresAt };
  }

  /**
   * Exchanges a refresh token for its successor. Exactly one of several concurrent exchanges of the same token wins:
   * the row is locked (`FOR UPDATE`), so the others see it consumed — which is reuse, and ends the session.
   *
   * @throws AppError `REFRESH_TOKEN_INVALID` (unknown or revoked), `REFRESH_TOKEN_EXPIRED`, `REFRESH_TOKEN_REUSED`
   *   (all `unauthenticated`: the client must sign in again).
   */
  async rotate(refreshToken: string): Promise<RotatedRefreshToken> {
    if (typeof refreshToken !== 'string' || !TOKEN_FORMAT.test(refreshToken)) throw refreshTokenInvalid();
    const presented = hashOf(refreshToken);
    const outcome = await withTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<TokenRow>(
        `SELECT session_id, user_id, amr, mfa_at, session_expires_at, used_at, revoked_at, expires_at
           FROM ${this.#table} WHERE token_hash = $1 FOR UPDATE`,
        [presented],
      );
      const row = rows[0];
      if (row === undefined) return { kind: 'invalid' as const };
      const now = this.#now();
      const verdict = judgeRefreshToken({ usedAt: row.used_at, revokedAt: row.revoked_at, expiresAt: row.expires_at }, now);
      switch (verdict) {
        case 'reused':
          // Committed before we answer: the revocation must survive the error we are about to throw.
          return {
            kind: 'reused' as const,
            sessionId: row.session_id,
            revoked: await this.#revokeRows(client, 'session_id = $1', [row.session_id], 'refresh_token_reused', now),
          };
        case 'revoked':
          return { kind: 'invalid' as const };
        case 'expired':
          return { kind: 'expired' as const };
        case 'valid':
          return { kind: 'rotated' as const, rotated: await this.#exchange(client, presented, row, now) };
        default: {
          const _exhaustive: never = verdict;
          return _exhaustive;
        }
      }
    });
    switch (outcome.kind) {
      case 'invalid':
        throw refreshTokenInvalid();
      case 'expired':
        throw new AppError('REFRESH_TOKEN_EXPIRED', 'unauthenticated', 'refresh token expired; sign in again');
      case 'reused':
        // If Redis is down the session is still revoked in Postgres; the client retries, which is reuse again and
        // retries the announcement, so a failure here heals itself.
        await this.#announce([outcome.sessionId]);
        await this.#reportRevoked(outcome.revoked, 'refresh_token_reused');
        throw new AppError('REFRESH_TOKEN_REUSED', 'unauthenticated', 'refresh token was already used; the session has been ended');
      case 'rotated':
        return outcome.rotated;
      default: {
        const _exhaustive: never = outcome;
        return _exhaustive;
      }
    }
  }

  /** Ends one session (logout, or an administrator's decision). Idempotent; returns whether a live session was ended. */
  async revokeSession(sessionId: string, reason: SessionRevocationReason): Promise<boolean> {
    assertReason(reason);
    if (!isUuid(sessionId)) return false;
    const revoked = await withTransaction(this.#pool, (client) => this.#revokeRows(client, 'session_id = $1', [sessionId], reason, this.#now()));
    // Announced even when nothing was left to revoke in Postgres: a retry after a Redis failure must still reach it.
    await this.#announce([sessionId]);
    await this.#reportRevoked(revoked, reason);
    return revoked.length > 0;
  }

  /**
   * A user's live sessions (not revoked, not past their absolute expiry), newest first: when each began, when its
   * refresh token was last rotated, when it ends at the latest, and how its holder authenticated. Nothing else about
   * a session is kept (no address, no device).
   */
  async listLive(userId: string): Promise<LiveSession[]> {
    const { rows } = await this.#pool.query<{
      session_id: string;
      started_at: Date;
      last_active_at: Date;
      expires_at: Date;
      amr: string[];
      mfa_at: Date | null;
    }>(
      `SELECT session_id, min(created_at) AS started_at, max(created_at) AS last_active_at, max(session_expires_at) AS expires_at,
              max(amr) AS amr, max(mfa_at) AS mfa_at -- a session's rows share amr and mfa_at (rotation copies them)
         FROM ${this.#table}
        WHERE user_id = $1
        GROUP BY session_id
       HAVING bool_and(revoked_at IS NULL) AND max(session_expires_at) > $2
        ORDER BY min(created_at) DESC`,
      [userId, this.#now()],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      startedAt: row.started_at,
      lastActiveAt: row.last_active_at,
      expiresAt: row.expires_at,
      amr: row.amr.filter(isAuthenticationMethod),
      mfaAt: row.mfa_at ?? undefined,
    }));
  }

  /** Ends one session of this user only (someone else's session id is as good as unknown). */
  async revokeSessionOf(userId: string, sessionId: string, reason: SessionRevocationReason): Promise<boolean> {
    assertReason(reason);
    if (!isUuid(sessionId)) return false;
    const revoked = await withTransaction(this.#pool, (client) =>
      this.#revokeRows(client, 'session_id = $1 AND user_id = $2', [sessionId, userId], reason, this.#now()),
    );
    if (revoked.length === 0) return false;
    await this.#announce([sessionId]);
    await this.#reportRevoked(revoked, reason);
    return true;
  }

  /** Ends every live session of a user (password change, "sign out everywhere", account disabled). */
  async revokeAllForUser(userId: string, reason: SessionRevocationReason = 'logout_everywhere'): Promise<{ sessionIds: string[] }> {
    assertReason(reason);
    const revoked = await withTransaction(this.#pool, (client) => this.#revokeRows(client, 'user_id = $1', [userId], reason, this.#now()));
    const sessionIds = revoked.map((session) => session.sessionId);
    await this.#announce(sessionIds);
    await this.#reportRevoked(revoked, reason);
    return { sessionIds };
  }

  /**
   * Deletes the rows of sessions that ended (absolute expiry) more than `graceSeconds` ago: nothing about them is
   * needed for reuse detection any more, and keeping who-was-signed-in-when longer is not data minimisation.
   */
  async purgeExpired(graceSeconds = 24 * 3600): Promise<number> {
    const cutoff = new Date(this.#now().getTime() - graceSeconds * 1000);
    const { rowCount } = await this.#pool.query(`DELETE FROM ${this.#table} WHERE session_expires_at < $1`, [cutoff]);
    return rowCount ?? 0;
  }

  async #exchange(client: PoolClient, presented: Buffer, row: TokenRow, now: Date): Promise<RotatedRefreshToken> {
    const refreshToken = newToken();
    const expiresAt = tokenExpiry(now, row.session_expires_at, this.#lifetimes);
    await client.query(`UPDATE ${this.#table} SET used_at = $2 WHERE token_hash = $1`, [presented, now]);
    await client.query(
      `INSERT INTO ${this.#table} (token_hash, session_id, user_id, parent_hash, amr, mfa_at, created_at, expires_at, session_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [hashOf(refreshToken), row.session_id, row.user_id, presented, row.amr, row.mfa_at, now, expiresAt, row.session_expires_at],
    );
    return {
      refreshToken,
      sessionId: row.session_id,
      userId: row.user_id,
      amr: row.amr.filter(isAuthenticationMethod),
      mfaAt: row.mfa_at ?? undefined,
      expiresAt,
    };
  }

  /** Marks the live rows matching `where` revoked; returns the distinct sessions touched. */
  async #revokeRows(client: PoolClient, where: string, parameters: unknown[], reason: SessionRevocationReason, now: Date): Promise<RevokedSession[]> {
    const { rows } = await client.query<{ session_id: string; user_id: string }>(
      `UPDATE ${this.#table} SET revoked_at = $${parameters.length + 1}, revoked_reason = $${parameters.length + 2}
        WHERE ${where} AND revoked_at IS NULL RETURNING session_id, user_id`,
      [...parameters, now, reason],
    );
    const sessions = new Map(rows.map((row) => [row.session_id, { sessionId: row.session_id, userId: row.user_id }]));
    return [...sessions.values()];
  }

  async #reportRevoked(sessions: RevokedSession[], reason: SessionRevocationReason): Promise<void> {
    if (sessions.length > 0) await this.#onRevoked?.(sessions, reason);
  }

  async #announce(sessionIds: string[]): Promise<void> {
    try {
      await this.#revocations.revoke(sessionIds, this.#revocationTtlSeconds);
    } catch (error) {
      throw new AppError('SESSION_REVOCATION_UNAVAILABLE', 'unavailable', 'the session could not be revoked everywhere yet; retry', {
        retriable: true,
        cause: error,
      });
    }
  }
}

function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** SHA-256 is enough (no salt, no slow hash): the input is 256 random bits, not a password that could be guessed. */
function hashOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function refreshTokenInvalid(): AppError {
  return new AppError('REFRESH_TOKEN_INVALID', 'unauthenticated', 'invalid refresh token; sign in again');
}

function isAuthenticationMethod(value: unknown): value is AuthenticationMethod {
  return typeof value === 'string' && (AUTHENTICATION_METHODS as readonly string[]).includes(value);
}

function assertReason(reason: unknown): void {
  if (!isSessionRevocationReason(reason)) throw new RangeError(`reason must be one of ${SESSION_REVOCATION_REASONS.join(', ')}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
