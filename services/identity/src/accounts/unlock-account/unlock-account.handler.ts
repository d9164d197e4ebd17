import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS, type Redis } from '@crm/redis';
import { loadLoginThrottleSettings, LoginThrottle } from '../../login-throttling/index.js';
import { MfaAttemptLimiter } from '../../mfa/index.js';
import { accountError } from '../account.errors.js';
import { AccountsRepository } from '../accounts.repository.js';

/**
 * An administrator lifts an account's hard locks: the second factor's (100 failed codes in all) and the password's
 * (100 consecutive failed sign-ins across lock periods). The enrolment, the recovery codes and the password stay as
 * they were; `DELETE /v1/users/:id/mfa` resets the second factor instead when the authenticator itself is in doubt.
 */
@Injectable()
export class UnlockAccountHandler {
  readonly #limiter: MfaAttemptLimiter;
  readonly #throttle: LoginThrottle;
  readonly #logger = new Logger('UnlockAccount');

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(REDIS) redis: Redis,
  ) {
    this.#limiter = new MfaAttemptLimiter(redis);
    this.#throttle = new LoginThrottle(redis, loadLoginThrottleSettings());
  }

  async execute(userId: string, actorId: string): Promise<void> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    await this.#limiter.unlock(userId);
    await this.#throttle.unlockAccount(account.email_index);
    this.#logger.log(`account ${userId} unlocked by administrator ${actorId}`);
  }
}
