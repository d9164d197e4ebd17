import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { BlindIndexer } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { BLIND_INDEXER, COMMAND_PIPELINE } from '@crm/platform';
import { checkNewPassword, passwordPolicyError, type PasswordHasher, type PasswordPolicy } from '../../passwords/index.js';
import { PASSWORD_HASHER, PASSWORD_POLICY } from '../../identity.tokens.js';
import type { AccountView } from '../account.views.js';
import { AccountWriteModel, EMAIL_INDEX } from '../account.write-model.js';
import { AccountsRepository } from '../accounts.repository.js';
import { identityMetadata } from '../identity.events.js';
import { RoleCatalogueReader } from '../role-catalogue.js';

export interface RegisterAccountRequest {
  email: string;
  displayName: string;
  password: string;
  roles: string[];
  birthDate?: string | undefined;
}

/** A new staff account: existing roles only, a password the policy accepts, and one account per e-mail address. */
@Injectable()
export class RegisterAccountHandler {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly roles: RoleCatalogueReader,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    @Inject(BLIND_INDEXER) private readonly indexer: BlindIndexer<string>,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PASSWORD_POLICY) private readonly policy: PasswordPolicy,
  ) {}

  async execute(request: RegisterAccountRequest, actorId: string, correlationId: string): Promise<AccountView> {
    await this.roles.assertRolesExist(request.roles);
    const violations = await checkNewPassword(this.policy, request.password, {
      name: request.displayName,
      email: request.email,
      birthDate: request.birthDate,
    });
    if (violations.length > 0) throw passwordPolicyError(violations);
    const emailIndex = this.indexer.blindIndex(EMAIL_INDEX, request.email);
    if ((await this.accounts.byEmailIndex(emailIndex)) !== undefined) {
      throw new AppError('USER_EMAIL_TAKEN', 'conflict', 'an account with this e-mail address exists already');
    }
    const userId = randomUUID();
    const email = request.email.trim();
    const displayName = request.displayName.trim();
    const passwordHash = await this.hasher.hash(request.password);
    let registeredAt: Date;
    try {
      ({ at: registeredAt } = await this.pipeline.execute(
        this.model,
        { type: 'RegisterAccount', userId, email, displayName, roles: request.roles, passwordHash },
        identityMetadata(actorId, correlationId),
      ));
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new AppError('USER_EMAIL_TAKEN', 'conflict', 'an account with this e-mail address exists already');
      throw error;
    }
    // The time the account row was stored with (the pipeline's clock at the decision), not a second reading.
    return { id: userId, email, displayName, roles: request.roles, mfaEnrolled: false, disabled: false, createdAt: registeredAt.toISOString() };
  }
}
