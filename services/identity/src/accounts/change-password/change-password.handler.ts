import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { COMMAND_PIPELINE } from '@crm/platform';
import { checkNewPassword, passwordPolicyError, type PasswordHasher, type PasswordPolicy } from '../../passwords/index.js';
import { RefreshTokenStore } from '../../tokens/index.js';
import { PASSWORD_HASHER, PASSWORD_POLICY } from '../../identity.tokens.js';
import { AccountViews } from '../account.views.js';
import { AccountWriteModel } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { identityMetadata } from '../identity.events.js';

/**
 * One's own password changed: the current one proves it, the new one passes the policy and the history, sessions end.
 * It is also the change a registration asks for (a password an administrator set, or the generated bootstrap one).
 */
@Injectable()
export class ChangePasswordHandler {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly views: AccountViews,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PASSWORD_POLICY) private readonly policy: PasswordPolicy,
    private readonly sessions: RefreshTokenStore,
  ) {}

  /** The caller confirmed the current password first (`AuthenticationService.confirmPassword`, throttled). */
  async execute(userId: string, newPassword: string, correlationId: string): Promise<void> {
    const account = await this.accounts.byId(userId);
    const credentials = account === undefined ? undefined : await this.accounts.credentials(userId);
    if (account === undefined || credentials === undefined) throw new AppError('USER_NOT_FOUND', 'not_found', 'no such user');
    const view = await this.views.of(account);
    const previousHashes = [credentials.password_hash, ...credentials.password_history];
    // A password someone else chose must really change: whatever the history setting, not to the same one again.
    const policy = credentials.password_change_required ? { ...this.policy, historySize: Math.max(1, this.policy.historySize) } : this.policy;
    const violations = await checkNewPassword(
      policy,
      newPassword,
      { name: view.displayName, email: view.email },
      { previousHashes, verify: (hash, candidate) => this.hasher.verify(hash, candidate) },
    );
    if (violations.length > 0) throw passwordPolicyError(violations);
    const passwordHash = await this.hasher.hash(newPassword);
    const passwordHistory = previousHashes.slice(0, Math.max(0, this.policy.historySize));
    await this.pipeline.execute(this.model, { type: 'ChangePassword', userId, passwordHash, passwordHistory }, identityMetadata(userId, correlationId));
    // Whoever knew the old password may hold a session: every session ends, the user signs in again.
    await this.sessions.revokeAllForUser(userId, 'password_changed');
  }
}
