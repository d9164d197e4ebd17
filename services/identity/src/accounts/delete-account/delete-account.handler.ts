import { Inject, Injectable } from '@nestjs/common';
import type { SubjectShredder } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE, SUBJECT_SHREDDER } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import { assertMayAdminister, type AccountAdministrator } from '../account-administration.rule.js';
import { accountError } from '../account.errors.js';
import { AccountWriteModel } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { identityMetadata } from '../identity.events.js';
import { RoleCatalogueReader } from '../role-catalogue.js';

/**
 * Deleting a staff account erases their personal data by crypto-shredding (docs/crypto-shredding.md): every session
 * ends, then the staff member's key is destroyed and announced (from that moment the e-mail and name sealed in the
 * account's events, on Kafka, in the backups, can never be read again), then `UserDeleted` is decided and the
 * account and credential rows are deleted in its transaction. A call interrupted after the shred is healed by
 * calling again: shredding is idempotent and the rows are still there.
 */
@Injectable()
export class DeleteAccountHandler {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(SUBJECT_SHREDDER) private readonly shredder: SubjectShredder,
    private readonly model: AccountWriteModel,
    private readonly accounts: AccountsRepository,
    private readonly sessions: RefreshTokenStore,
    private readonly roles: RoleCatalogueReader,
  ) {}

  /** `deleter`: who deletes, with the permissions of their access token (an account with more is refused). */
  async execute(userId: string, deleter: AccountAdministrator, correlationId: string): Promise<void> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    if (userId === deleter.id) throw accountError('ACCOUNT_SELF_DELETE', 'nobody deletes their own account');
    const roleCatalogue = await this.roles.catalogue();
    // The shred cannot be undone: the decision's rule is checked before it too, not only when it is decided.
    assertMayAdminister(deleter, { userId, roles: account.roles }, roleCatalogue, { exceeds: 'ACCOUNT_DELETE_EXCEEDS_PERMISSIONS' });
    await this.sessions.revokeAllForUser(userId, 'administrator');
    await this.shredder.shredSubject(userId, 'ERASURE_REQUEST');
    await this.pipeline.execute(
      this.model,
      { type: 'DeleteAccount', userId, deletedBy: deleter.id, deleterPermissions: deleter.permissions, roleCatalogue },
      identityMetadata(deleter.id, correlationId),
    );
  }
}
