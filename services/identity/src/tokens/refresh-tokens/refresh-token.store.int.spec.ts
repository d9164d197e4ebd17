// Refresh-token rotation, reuse detection, expiry and revocation on the real Postgres and Redis.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { JwtVerifier, RedisRevocationList, revokedSessionKey } from '@crm/auth';
import { AppError } from '@crm/errors';
import { createRedis } from '@crm/redis';
import { migrateScratchSchema, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { AccessTokenIssuer } from '../access-tokens/access-token.issuer.js';
import { SigningKeyStore } from '../signing-keys/signing-key.store.js';
import { refreshTokenMigrations } from './refresh-token.schema.js';
import { RefreshTokenStore } from './refresh-token.store.js';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const redis = createRedis(testPlatformConfig().redis, 'identity-refresh-int-test');
const revocations = new RedisRevocationList(redis);

let pool: pg.Pool;
let schema: string;
let drop: () => Promise<void>;
let clock: { now: number };
let store: RefreshTokenStore;

beforeAll(async () => {
  ({ pool, schema, drop } = await scratchSchema('it_refresh_tokens', refreshTokenMigrations));
  store = new RefreshTokenStore({ pool, revocations, schema, accessTokenLifetimeSeconds: 600, now: () => new Date(clock.now) });
});
beforeEach(() => {
  clock = { now: T0 };
});
afterAll(async () => {
  await drop();
  await redis.quit();
});

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return `${error.kind}:${error.code}`;
}

const userId = () => uniqueName('user');

describe('refresh tokens on the real Postgres and Redis', () => {
  it('migrates idempotently, also when several instances boot at once: one table, its indexes, and the sessions kept', async () => {
    const { sessionId } = await store.startSession(userId(), { amr: ['pwd'] });

    await expect(Promise.all([1, 2, 3].map(() => migrateScratchSchema(schema, refreshTokenMigrations)))).resolves.toEqual([[], [], []]);

    const tables = await pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
    expect(tables.rows.map((row) => row.name)).toEqual(['crm_migrations', 'refresh_tokens']);
    const indexes = await pool.query<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = 'refresh_tokens' ORDER BY 1`,
      [schema],
    );
    expect(indexes.rows.map((row) => row.name)).toEqual([
      'refresh_tokens_one_successor',
      'refresh_tokens_pkey',
      'refresh_tokens_session',
      'refresh_tokens_session_expiry',
      'refresh_tokens_user_live',
    ]);
    const kept = await pool.query(`SELECT 1 FROM "${schema}".refresh_tokens WHERE session_id = $1`, [sessionId]);
    expect(kept.rows).toHaveLength(1);
  });

  it('given a new session, then the token is 256 random bits and only its SHA-256 is stored', async () => {
    const { refreshToken, sessionId, expiresAt } = await store.startSession(userId(), { amr: ['pwd'] });

    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(refreshToken, 'base64url')).toHaveLength(32);
    expect(expiresAt).toEqual(new Date(T0 + DAY));
    const { rows } = await pool.query(`SELECT * FROM "${schema}".refresh_tokens WHERE session_id = $1`, [sessionId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(refreshToken);
    expect(rows[0].token_hash).toHaveLength(32);
  });

  it('given a valid token, when rotated, then a new token of the same session carries the sign-in facts, and the old one is consumed', async () => {
    const user = userId();
    const mfaAt = new Date(T0 - 60_000);
    const started = await store.startSession(user, { amr: ['pwd', 'otp'], mfaAt });
    clock.now = T0 + HOUR;

    const rotated = await store.rotate(started.refreshToken);

    expect(rotated).toEqual({
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      sessionId: started.sessionId,
      userId: user,
      amr: ['pwd', 'otp'],
      mfaAt,
      expiresAt: new Date(T0 + HOUR + DAY),
    });
    expect(rotated.refreshToken).not.toBe(started.refreshToken);
    const { rows } = await pool.query(
      `SELECT parent_hash IS NOT NULL AS has_parent, used_at FROM "${schema}".refresh_tokens WHERE session_id = $1 ORDER BY created_at`,
      [started.sessionId],
    );
    expect(rows).toEqual([
      { has_parent: false, used_at: new Date(T0 + HOUR) },
      { has_parent: true, used_at: null },
    ]);
  });

  it('given a consumed token presented again, then it is reuse: the whole session is revoked, in Postgres and on the Redis list', async () => {
    const started = await store.startSession(userId(), { amr: ['pwd'] });
    const next = await store.rotate(started.refreshToken);

    expect(await failure(store.rotate(started.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_REUSED');

    // The legitimate-looking successor dies with the family: we cannot tell the thief from the victim.
    expect(await failure(store.rotate(next.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
    const { rows } = await pool.query(`SELECT DISTINCT revoked_reason FROM "${schema}".refresh_tokens WHERE session_id = $1`, [started.sessionId]);
    expect(rows).toEqual([{ revoked_reason: 'refresh_token_reused' }]);
    expect(await revocations.isRevoked(started.sessionId)).toBe(true);
    // And replaying it again is still reuse, not "invalid", so every replay is visible.
    expect(await failure(store.rotate(started.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_REUSED');
  });

  it('given several concurrent rotations of one token, then exactly one wins and the others are treated as reuse', async () => {
    const started = await store.startSession(userId(), { amr: ['pwd'] });

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => store.rotate(started.refreshToken)));

    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as AppError] : []));
    expect(winners).toHaveLength(1);
    expect(losers.map((error) => error.code)).toEqual(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_REUSED']);
    const { rows } = await pool.query(`SELECT count(*)::int AS tokens FROM "${schema}".refresh_tokens WHERE session_id = $1`, [started.sessionId]);
    expect(rows).toEqual([{ tokens: 2 }]);
  });

  it('given an unknown or malformed token, then REFRESH_TOKEN_INVALID', async () => {
    expect(await failure(store.rotate('A'.repeat(43)))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
    expect(await failure(store.rotate('not a token'))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
    expect(await failure(store.rotate('x'.repeat(10_000)))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
  });

  it('given a token unused for a day, then it has expired (idle timeout)', async () => {
    const started = await store.startSession(userId(), { amr: ['pwd'] });
    clock.now = T0 + DAY - 1;
    const rotated = await store.rotate(started.refreshToken);

    clock.now = T0 + DAY - 1 + DAY;

    expect(await failure(store.rotate(rotated.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_EXPIRED');
  });

  it('given a session refreshed diligently, then it still ends fourteen days after sign-in (absolute timeout)', async () => {
    let { refreshToken } = await store.startSession(userId(), { amr: ['pwd'] });
    let last;
    for (let elapsed = 12 * HOUR; elapsed < 14 * DAY; elapsed += 12 * HOUR) {
      clock.now = T0 + elapsed;
      last = await store.rotate(refreshToken);
      ({ refreshToken } = last);
    }
    expect(last?.expiresAt).toEqual(new Date(T0 + 14 * DAY));

    clock.now = T0 + 14 * DAY;

    expect(await failure(store.rotate(refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_EXPIRED');
  });

  it('given a revoked session, then its refresh token is refused and its live access tokens die at every verifier at once', async () => {
    const keys = new SigningKeyStore({
      directory: SigningKeyStore.directoryFor(await mkdtemp(join(tmpdir(), 'crm-revoke-'))),
      accessTokenLifetimeSeconds: 600,
      now: () => new Date(),
    });
    const issuer = new AccessTokenIssuer(keys, { now: () => new Date() });
    const verifier = new JwtVerifier({ keys: () => keys.jwks(), revocation: revocations });
    const user = userId();
    const started = await store.startSession(user, { amr: ['pwd'] });
    const accessToken = await issuer.issue({ userId: user, roles: [], permissions: [], amr: ['pwd'], sessionId: started.sessionId });
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ sid: started.sessionId });

    expect(await store.revokeSession(started.sessionId, 'logout')).toBe(true);

    expect(await failure(verifier.verify(accessToken))).toBe('unauthenticated:TOKEN_REVOKED');
    expect(await failure(store.rotate(started.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
    const ttl = await redis.ttl(revokedSessionKey(started.sessionId));
    expect(ttl).toBeGreaterThan(600);
    expect(ttl).toBeLessThanOrEqual(605);
    expect(await store.revokeSession(started.sessionId, 'logout')).toBe(false);
  });

  it('given a user with several sessions, when all are revoked, then each is on the list and other users are untouched', async () => {
    const user = userId();
    const first = await store.startSession(user, { amr: ['pwd'] });
    const second = await store.startSession(user, { amr: ['pwd', 'otp'] });
    const bystander = await store.startSession(userId(), { amr: ['pwd'] });

    const { sessionIds } = await store.revokeAllForUser(user, 'password_changed');

    expect(sessionIds.sort()).toEqual([first.sessionId, second.sessionId].sort());
    expect(await revocations.isRevoked(first.sessionId)).toBe(true);
    expect(await revocations.isRevoked(second.sessionId)).toBe(true);
    expect(await revocations.isRevoked(bystander.sessionId)).toBe(false);
    expect(await failure(store.rotate(second.refreshToken))).toBe('unauthenticated:REFRESH_TOKEN_INVALID');
    await expect(store.rotate(bystander.refreshToken)).resolves.toMatchObject({ sessionId: bystander.sessionId });
  });

  it('given sessions that ended more than a day ago, then purging deletes their rows and keeps live ones', async () => {
    const old = await store.startSession(userId(), { amr: ['pwd'] });
    clock.now = T0 + 14 * DAY;
    const live = await store.startSession(userId(), { amr: ['pwd'] });
    clock.now = T0 + 15 * DAY + 1;

    await store.purgeExpired();

    const { rows } = await pool.query(`SELECT session_id FROM "${schema}".refresh_tokens WHERE session_id = ANY($1)`, [[old.sessionId, live.sessionId]]);
    expect(rows).toEqual([{ session_id: live.sessionId }]);
  });
});
