import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import { AccountViews, type AccountView } from '../account.views.js';
import { AccountWriteModel } from '../account.write-model.js';
import { identityMetadata } from '../identity.events.js';

/**
 * Disabling a staff account (`UserDisabled`) ends every session of it at once (`user_disabled`); sign-in and refresh
 * refuse it from then on. Enabling it again (`UserEnabled`) restores nothing but the right to sign in: the sessions
 * stay ended.
 */
@Injectable()
export class DisableAccountHandler {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    private readonly sessions: RefreshTokenStore,
    private readonly views: AccountViews,
  ) {}

  async disable(userId: string, actorId: string, correlationId: string): Promise<AccountView> {
    await this.pipeline.execute(this.model, { type: 'DisableAccount', userId, disabledBy: actorId }, identityMetadata(actorId, correlationId));
    // Also on a repeated call: a retry after a revocation that failed half-way must still reach every session.
    await this.sessions.revokeAllForUser(userId, 'user_disabled');
    return this.views.byId(userId);
  }

  async enable(userId: string, actorId: string, correlationId: string): Promise<AccountView> {
    await this.pipeline.execute(this.model, { type: 'EnableAccount', userId }, identityMetadata(actorId, correlationId));
    return this.views.byId(userId);
  }
}
