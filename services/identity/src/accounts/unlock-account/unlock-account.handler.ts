import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS, type Redis } from '@crm/redis';
import { loadLoginThrottleSettings, LoginThrottle } from '../../login-throttling/index.js';
import { MfaAttemptLimiter } from '../../mfa/index.js';
import { assertMayAdminister, type AccountAdministrator } from '../account-administration.rule.js';
import { accountError } from '../account.errors.js';
import { AccountsRepository } from '../accounts.repository.js';
import { RoleCatalogueReader } from '../role-catalogue.js';

/**
 * An administrator lifts an account's hard locks: the second factor's (100 failed codes in all) and the password's
 * (100 consecutive failed sign-ins across lock periods). The enrolment, the recovery codes and the password stay as
 * they were; `DELETE /v1/users/:id/mfa` resets the second factor instead when the authenticator itself is in doubt.
 * The locks stop guessing at the account's password and codes, so lifting them on an account holding a permission the
 * administrator lacks is refused (`account-administration.rule.ts`): `users:manage` must not help guess at an
 * administrator. One's own locks cannot be lifted this way anyway (the step-up needs the locked second factor).
 */
@Injectable()
export class UnlockAccountHandler {
  readonly #limiter: MfaAttemptLimiter;
  readonly #throttle: LoginThrottle;
  readonly #logger = new Logger('UnlockAccount');

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(REDIS) redis: Redis,
    private readonly roles: RoleCatalogueReader,
  ) {
    this.#limiter = new MfaAttemptLimiter(redis);
    this.#throttle = new LoginThrottle(redis, loadLoginThrottleSettings());
  }

  async execute(userId: string, administrator: AccountAdministrator): Promise<void> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    assertMayAdminister(administrator, { userId, roles: account.roles }, await this.roles.catalogue(), { exceeds: 'ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS' });
    await this.#limiter.unlock(userId);
    await this.#throttle.unlockAccount(account.email_index);
    this.#logger.log(`account ${userId} unlocked by administrator ${administrator.id}`);
  }
}
