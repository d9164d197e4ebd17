import { Inject, Injectable } from '@nestjs/common';
import type { SubjectShredder } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE, SUBJECT_SHREDDER } from '@crm/platform';
import { RefreshTokenStore } from '../../tokens/index.js';
import { accountError } from '../account.errors.js';
import { AccountWriteModel } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { identityMetadata } from '../identity.events.js';

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
  ) {}

  async execute(userId: string, actorId: string, correlationId: string): Promise<void> {
    if ((await this.accounts.byId(userId)) === undefined) throw accountError('USER_NOT_FOUND', 'no such user');
    if (userId === actorId) throw accountError('ACCOUNT_SELF_DELETE', 'nobody deletes their own account');
    await this.sessions.revokeAllForUser(userId, 'administrator');
    await this.shredder.shredSubject(userId, 'ERASURE_REQUEST');
    await this.pipeline.execute(this.model, { type: 'DeleteAccount', userId, deletedBy: actorId }, identityMetadata(actorId, correlationId));
  }
}
