import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import { REDIS, type Redis } from '@crm/redis';
import { loadLoginThrottleSettings, LoginThrottle } from '../../login-throttling/index.js';
import { generatePassword, type PasswordHasher, type PasswordPolicy } from '../../passwords/index.js';
import { RefreshTokenStore } from '../../tokens/index.js';
import { PASSWORD_HASHER, PASSWORD_POLICY } from '../../identity.tokens.js';
import { AccountViews } from '../account.views.js';
import { accountError } from '../account.errors.js';
import { AccountWriteModel } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { RoleCatalogueReader } from '../role-catalogue.js';
import { identityMetadata } from '../identity.events.js';

export interface PasswordResetOutcome {
  /** Shown once, to the administrator, to hand to the holder; never stored in clear, never logged. */
  oneTimePassword: string;
  /** The sessions of the account that ended. */
  sessionsEnded: number;
}

/**
 * An administrator resets someone's password (issue 15, item 7): identity generates a one-time password, stores its
 * hash with `password_change_required` in the `PasswordReset` transaction (decided on the account's version, like
 * every change to it), then ends every session of the account: whoever knew the old password may hold one. The old
 * password joins the history (as far as `CRM_PASSWORD_HISTORY_SIZE` keeps one). Sign-in with the one-time password
 * answers a password-change token only, until the holder has chosen their own. The sign-in lock of the account goes
 * too (a forgotten password is often found by locking it): failures against the old password say nothing about a
 * random new one. The second factor's lock stays (`DELETE /v1/users/:id/lock` lifts it).
 */
@Injectable()
export class ResetPasswordHandler {
  readonly #throttle: LoginThrottle;

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly views: AccountViews,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PASSWORD_POLICY) private readonly policy: PasswordPolicy,
    private readonly sessions: RefreshTokenStore,
    private readonly roles: RoleCatalogueReader,
    @Inject(REDIS) redis: Redis,
  ) {
    this.#throttle = new LoginThrottle(redis, loadLoginThrottleSettings());
  }

  /** `resetter`: who resets, with the permissions of their access token (an account with more is refused). */
  async execute(userId: string, resetter: { id: string; permissions: readonly string[] }, correlationId: string): Promise<PasswordResetOutcome> {
    const account = await this.accounts.byId(userId);
    const credentials = account === undefined ? undefined : await this.accounts.credentials(userId);
    if (account === undefined || credentials === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    const view = await this.views.of(account);
    const oneTimePassword = generatePassword(this.policy, { name: view.displayName, email: view.email });
    const passwordHash = await this.hasher.hash(oneTimePassword);
    const passwordHistory = [credentials.password_hash, ...credentials.password_history].slice(0, Math.max(0, this.policy.historySize));
    await this.pipeline.execute(
      this.model,
      {
        type: 'ResetPassword',
        userId,
        resetBy: resetter.id,
        resetterPermissions: resetter.permissions,
        roleCatalogue: await this.roles.catalogue(),
        passwordHash,
        passwordHistory,
      },
      identityMetadata(resetter.id, correlationId),
    );
    const { sessionIds } = await this.sessions.revokeAllForUser(userId, 'password_changed');
    await this.#throttle.unlockAccount(account.email_index);
    return { oneTimePassword, sessionsEnded: sessionIds.length };
  }
}
