import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BUILT_IN_ROLES, isPermission, permissionsOfRoles, requiresMfa, type Permission, type RoleCatalogue } from '@crm/auth';
import { fromBinary, SealedFieldSchema } from '@crm/contracts';
import { sealedFieldFromProto, type BlindIndexer, type FieldCipher } from '@crm/crypto';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { BLIND_INDEXER, COMMAND_PIPELINE, FIELD_CIPHER } from '@crm/platform';
import { checkNewPassword, isPasswordExpired, loadPasswordPolicy, passwordPolicyError, PasswordHasher, type PasswordPolicy } from '../passwords/index.js';
import { RefreshTokenStore } from '../tokens/index.js';
import type { IdentityConfig } from '../identity.config.js';
import { IDENTITY_CONFIG } from '../identity.tokens.js';
import { ACCOUNT_EMAIL_FIELD, ACCOUNT_NAME_FIELD } from './account.codec.js';
import { AccountWriteModel, EMAIL_INDEX } from './account.write-model.js';
import { AccountsRepository, type AccountRow } from './accounts.repository.js';
import { identityMetadata } from './identity.events.js';
import { RoleWriteModel } from './role.write-model.js';

export { EMAIL_INDEX } from './account.write-model.js';
export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');

export interface RegisterAccount {
  email: string;
  displayName: string;
  password: string;
  roles: string[];
  birthDate?: string | undefined;
}

export interface AccountView {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  mfaEnrolled: boolean;
  createdAt: string;
}

const ROLE_NAME = /^[a-z][a-z0-9-]{1,39}$/;

/** Staff accounts: registration, roles, and the role catalogue (built-in roles plus administrator-made ones). */
@Injectable()
export class AccountsService {
  readonly #policy: PasswordPolicy = loadPasswordPolicy();

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: AccountWriteModel,
    private readonly roles: RoleWriteModel,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(BLIND_INDEXER) private readonly indexer: BlindIndexer<string>,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    private readonly sessions: RefreshTokenStore,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Maximum password age is business policy (off by default, NIST 800-63B §5.1.1.2 advises against it). */
  passwordExpired(changedAt: Date, now = new Date()): boolean {
    return isPasswordExpired(this.#policy, changedAt, now);
  }

  async changePassword(userId: string, currentPassword: string, newPassword: string, correlationId: string): Promise<void> {
    const account = await this.accounts.byId(userId);
    const credentials = account === undefined ? undefined : await this.accounts.credentials(userId);
    if (account === undefined || credentials === undefined || !(await this.hasher.verify(credentials.password_hash, currentPassword))) {
      throw new AppError('PASSWORD_CURRENT_INVALID', 'invalid', 'the current password is not correct', { details: { field: 'currentPassword' } });
    }
    const view = await this.view(account);
    const previousHashes = [credentials.password_hash, ...credentials.password_history];
    const violations = await checkNewPassword(
      this.#policy,
      newPassword,
      { name: view.displayName, email: view.email },
      { previousHashes, verify: (hash, candidate) => this.hasher.verify(hash, candidate) },
    );
    if (violations.length > 0) throw passwordPolicyError(violations);
    const passwordHash = await this.hasher.hash(newPassword);
    const passwordHistory = previousHashes.slice(0, Math.max(0, this.#policy.historySize));
    await this.pipeline.execute(this.model, { type: 'ChangePassword', userId, passwordHash, passwordHistory }, identityMetadata(userId, correlationId));
    // Whoever knew the old password may hold a session: every session ends, the user signs in again.
    await this.sessions.revokeAllForUser(userId, 'password_changed');
  }

  async resetMfa(userId: string, actorId: string, correlationId: string): Promise<void> {
    await this.pipeline.execute(this.model, { type: 'ResetMfa', userId }, identityMetadata(actorId, correlationId));
    await this.sessions.revokeAllForUser(userId, 'mfa_changed');
  }

  emailIndex(email: string): string {
    return this.indexer.blindIndex(EMAIL_INDEX, email);
  }

  async catalogue(): Promise<RoleCatalogue> {
    return this.#catalogueOf(await this.accounts.customRoles());
  }

  async permissionsOf(roles: readonly string[]): Promise<Permission[]> {
    return permissionsOfRoles(roles, await this.catalogue());
  }

  /**
   * Whether these roles must sign in with a second factor: always when they hold a sensitive permission (export,
   * audit trails, user and role management), and for any role marked so, custom (`mfaRequired`) or built-in
   * (`CRM_MFA_REQUIRED_ROLES`).
   */
  async mfaRequiredFor(roles: readonly string[]): Promise<boolean> {
    const custom = await this.accounts.customRoles();
    return this.#mfaRule(custom)(roles);
  }

  async roleList(): Promise<Array<{ name: string; permissions: readonly string[]; mfaRequired: boolean }>> {
    const custom = await this.accounts.customRoles();
    const mfaRequired = this.#mfaRule(custom);
    return Object.entries(this.#catalogueOf(custom)).map(([name, permissions]) => ({ name, permissions, mfaRequired: mfaRequired([name]) }));
  }

  /** One read of the custom roles per decision: this runs on every sign-in. */
  #mfaRule(custom: Array<{ name: string; permissions: string[]; mfa_required: boolean }>): (roles: readonly string[]) => boolean {
    const catalogue = this.#catalogueOf(custom);
    const forced = new Set(this.config.mfaRequiredRoles);
    const flagged = new Set(custom.filter((role) => role.mfa_required).map((role) => role.name));
    return (roles) => requiresMfa(permissionsOfRoles(roles, catalogue)) || roles.some((role) => forced.has(role) || flagged.has(role));
  }

  #catalogueOf(custom: Array<{ name: string; permissions: string[] }>): RoleCatalogue {
    return { ...BUILT_IN_ROLES, ...Object.fromEntries(custom.map((role) => [role.name, role.permissions.filter(isPermission)])) };
  }

  async register(command: RegisterAccount, actorId: string, correlationId: string): Promise<AccountView> {
    await this.assertRolesExist(command.roles);
    const violations = await checkNewPassword(this.#policy, command.password, {
      name: command.displayName,
      email: command.email,
      birthDate: command.birthDate,
    });
    if (violations.length > 0) throw passwordPolicyError(violations);
    const emailIndex = this.emailIndex(command.email);
    if ((await this.accounts.byEmailIndex(emailIndex)) !== undefined) {
      throw new AppError('USER_EMAIL_TAKEN', 'conflict', 'an account with this e-mail address exists already');
    }
    const userId = randomUUID();
    const email = command.email.trim();
    const displayName = command.displayName.trim();
    const passwordHash = await this.hasher.hash(command.password);
    let registeredAt: Date;
    try {
      ({ at: registeredAt } = await this.pipeline.execute(
        this.model,
        { type: 'RegisterAccount', userId, email, displayName, roles: command.roles, passwordHash },
        identityMetadata(actorId, correlationId),
      ));
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new AppError('USER_EMAIL_TAKEN', 'conflict', 'an account with this e-mail address exists already');
      throw error;
    }
    // The time the account row was stored with (the pipeline's clock at the decision), not a second reading.
    return { id: userId, email, displayName, roles: command.roles, mfaEnrolled: false, createdAt: registeredAt.toISOString() };
  }

  async assignRoles(userId: string, roles: string[], actorId: string, correlationId: string): Promise<AccountView> {
    await this.assertRolesExist(roles);
    await this.pipeline.execute(this.model, { type: 'AssignRoles', userId, roles }, identityMetadata(actorId, correlationId));
    // Access tokens carry permissions: the user's live sessions end so the next token reflects the new roles.
    await this.sessions.revokeAllForUser(userId, 'roles_changed');
    return this.get(userId);
  }

  async createRole(
    name: string,
    permissions: string[],
    mfaRequired: boolean,
    actorId: string,
    correlationId: string,
  ): Promise<{ name: string; permissions: string[]; mfaRequired: boolean }> {
    if (!ROLE_NAME.test(name))
      throw new AppError('ROLE_NAME_INVALID', 'invalid', 'role names are 2–40 lower-case letters, digits and dashes', { details: { field: 'name' } });
    const unknown = permissions.filter((permission) => !isPermission(permission));
    if (unknown.length > 0 || permissions.length === 0) {
      throw new AppError('ROLE_PERMISSIONS_INVALID', 'invalid', 'permissions must be a non-empty list from the catalogue', { details: { unknown } });
    }
    if (Object.hasOwn(BUILT_IN_ROLES, name)) throw new AppError('ROLE_EXISTS', 'conflict', 'a role with this name exists already');
    await this.pipeline.execute(this.roles, { type: 'CreateRole', name, permissions, mfaRequired }, identityMetadata(actorId, correlationId));
    return { name, permissions, mfaRequired: mfaRequired || requiresMfa(permissions.filter(isPermission)) };
  }

  async get(userId: string): Promise<AccountView> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw new AppError('USER_NOT_FOUND', 'not_found', 'no such user');
    return this.view(account);
  }

  async list(limit: number, after: string | undefined): Promise<AccountView[]> {
    return Promise.all((await this.accounts.list(limit, after)).map((row) => this.view(row)));
  }

  async view(row: AccountRow): Promise<AccountView> {
    const open = (bytes: Buffer, field: string) => this.cipher.openText(row.user_id, field, sealedFieldFromProto(fromBinary(SealedFieldSchema, bytes)));
    return {
      id: row.user_id,
      email: await open(row.email_sealed, ACCOUNT_EMAIL_FIELD),
      displayName: await open(row.name_sealed, ACCOUNT_NAME_FIELD),
      roles: row.roles,
      mfaEnrolled: row.mfa_enrolled,
      createdAt: row.created_at.toISOString(),
    };
  }

  private async assertRolesExist(roles: string[]): Promise<void> {
    const catalogue = await this.catalogue();
    const unknown = roles.filter((role) => !Object.hasOwn(catalogue, role));
    if (unknown.length > 0 || roles.length === 0)
      throw new AppError('ROLE_UNKNOWN', 'invalid', 'every role must exist and at least one is needed', { details: { unknown } });
  }
}
