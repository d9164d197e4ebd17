import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import type { AccountAdministrator } from '../account-administration.rule.js';
import { AccountWriteModel } from '../account.write-model.js';
import { identityMetadata } from '../identity.events.js';
import { RoleCatalogueReader } from '../role-catalogue.js';

/** An administrator resets an account's second factor: it must enrol again, and its sessions end. */
@Injectable()
export class ResetMfaHandler {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    private readonly sessions: RefreshTokenStore,
    private readonly roles: RoleCatalogueReader,
  ) {}

  /** `resetter`: who resets, with the permissions of their access token (an account with more is refused). */
  async execute(userId: string, resetter: AccountAdministrator, correlationId: string): Promise<void> {
    await this.pipeline.execute(
      this.model,
      { type: 'ResetMfa', userId, resetBy: resetter.id, resetterPermissions: resetter.permissions, roleCatalogue: await this.roles.catalogue() },
      identityMetadata(resetter.id, correlationId),
    );
    await this.sessions.revokeAllForUser(userId, 'mfa_changed');
  }
}
