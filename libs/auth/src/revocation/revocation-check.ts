import type { Redis } from '@crm/redis';

/**
 * Whether a session (a refresh-token family, the `sid` claim) was revoked. Access tokens are short-lived but not
 * short enough for "log out everywhere" or a detected refresh-token theft; this is the check that ends them early.
 */
export interface RevocationCheck {
  isRevoked(sessionId: string): Promise<boolean>;
}

export const REVOKED_SESSION_KEY_PREFIX = 'crm:auth:revoked-session:';

export function revokedSessionKey(sessionId: string): string {
  return `${REVOKED_SESSION_KEY_PREFIX}${sessionId}`;
}

/**
 * The revocation list in Redis, shared by identity (writes) and every verifier (reads). An entry only needs to
 * outlive the access tokens of the session, so it expires after one access-token lifetime: the list stays as
 * small as the number of sessions revoked in the last few minutes.
 */
export class RedisRevocationList implements RevocationCheck {
  constructor(private readonly redis: Redis) {}

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(revokedSessionKey(sessionId))) === 1;
  }

  /** Marks sessions revoked for `ttlSeconds` (at least the access-token lifetime plus the verifiers' clock tolerance). */
  async revoke(sessionIds: readonly string[], ttlSeconds: number): Promise<void> {
    if (sessionIds.length === 0) return;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive integer');
    const batch = this.redis.multi();
    for (const sessionId of sessionIds) batch.set(revokedSessionKey(sessionId), '1', 'EX', ttlSeconds);
    const results = await batch.exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed !== undefined) throw failed?.[0] ?? new Error('revocation batch was discarded');
  }
}
