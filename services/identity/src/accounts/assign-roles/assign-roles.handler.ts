import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import { AccountViews, type AccountView } from '../account.views.js';
import { AccountWriteModel } from '../account.write-model.js';
import { identityMetadata } from '../identity.events.js';
import { RoleCatalogueReader } from '../role-catalogue.js';

/** An account's roles replaced by existing ones; its sessions end so that no token keeps the old permissions. */
@Injectable()
export class AssignRolesHandler {
  constructor(
    private readonly roles: RoleCatalogueReader,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    private readonly sessions: RefreshTokenStore,
    private readonly views: AccountViews,
  ) {}

  async execute(userId: string, roles: string[], actorId: string, correlationId: string): Promise<AccountView> {
    await this.roles.assertRolesExist(roles);
    await this.pipeline.execute(this.model, { type: 'AssignRoles', userId, roles, grantedBy: actorId }, identityMetadata(actorId, correlationId));
    // Access tokens carry permissions: the user's live sessions end so the next token reflects the new roles.
    await this.sessions.revokeAllForUser(userId, 'roles_changed');
    return this.views.byId(userId);
  }
}
