import { Injectable } from '@nestjs/common';
import { AppError } from '@crm/http';
import { RefreshTokenStore } from '../../tokens/index.js';
import { accountError } from '../account.errors.js';
import { AccountsRepository } from '../accounts.repository.js';

export interface SessionView {
  id: string;
  /** Whether it is the session of the token that asked. */
  current: boolean;
  startedAt: string;
  lastActiveAt: string;
  expiresAt: string;
  /** How its holder authenticated: `pwd`, `otp`, `rec`. */
  methods: string[];
  secondFactorAt: string | null;
}

/**
 * Sessions as their holder and an administrator see them (issue 15, item 7): a user lists and ends their own; an
 * administrator ends every session of anyone. Ending one is the token store's revocation, so the refresh token
 * stops at once and the access tokens of the session are refused everywhere (the revocation list), and each ended
 * session is a `SessionRevoked` event.
 */
@Injectable()
export class SessionsHandler {
  constructor(
    private readonly sessions: RefreshTokenStore,
    private readonly accounts: AccountsRepository,
  ) {}

  async listOwn(userId: string, currentSessionId: string): Promise<SessionView[]> {
    return (await this.sessions.listLive(userId)).map((session) => ({
      id: session.sessionId,
      current: session.sessionId === currentSessionId,
      startedAt: session.startedAt.toISOString(),
      lastActiveAt: session.lastActiveAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      methods: [...session.amr],
      secondFactorAt: session.mfaAt?.toISOString() ?? null,
    }));
  }

  /** Another user's session id, or one already ended, is `SESSION_NOT_FOUND`: the answer tells nothing about others. */
  async endOwn(userId: string, sessionId: string): Promise<void> {
    if (!(await this.sessions.revokeSessionOf(userId, sessionId, 'logout'))) {
      throw new AppError('SESSION_NOT_FOUND', 'not_found', 'no such live session of yours');
    }
  }

  async endAllOf(userId: string): Promise<{ ended: number }> {
    if ((await this.accounts.byId(userId)) === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    return { ended: (await this.sessions.revokeAllForUser(userId, 'administrator')).sessionIds.length };
  }
}
