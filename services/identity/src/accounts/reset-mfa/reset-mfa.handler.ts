import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import { AccountWriteModel } from '../account.write-model.js';
import { identityMetadata } from '../identity.events.js';

/** An administrator resets an account's second factor: it must enrol again, and its sessions end. */
@Injectable()
export class ResetMfaHandler {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    private readonly sessions: RefreshTokenStore,
  ) {}

  async execute(userId: string, actorId: string, correlationId: string): Promise<void> {
    await this.pipeline.execute(this.model, { type: 'ResetMfa', userId }, identityMetadata(actorId, correlationId));
    await this.sessions.revokeAllForUser(userId, 'mfa_changed');
  }
}
