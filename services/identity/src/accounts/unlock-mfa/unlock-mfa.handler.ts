import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS, type Redis } from '@crm/redis';
import { MfaAttemptLimiter } from '../../mfa/index.js';
import { accountError } from '../account.errors.js';
import { AccountsRepository } from '../accounts.repository.js';

/**
 * An administrator lifts the hard lock of an account's second factor (set after 100 failed codes in all): its TOTP
 * codes are accepted again. The enrolment and the recovery codes stay as they were; `DELETE /v1/users/:id/mfa`
 * resets them instead when the authenticator itself is in doubt.
 */
@Injectable()
export class UnlockMfaHandler {
  readonly #limiter: MfaAttemptLimiter;
  readonly #logger = new Logger('UnlockMfa');

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(REDIS) redis: Redis,
  ) {
    this.#limiter = new MfaAttemptLimiter(redis);
  }

  async execute(userId: string, actorId: string): Promise<void> {
    if ((await this.accounts.byId(userId)) === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    await this.#limiter.unlock(userId);
    this.#logger.log(`second factor of user ${userId} unlocked by administrator ${actorId}`);
  }
}
