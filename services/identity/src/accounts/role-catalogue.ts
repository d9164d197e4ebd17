import { Inject, Injectable } from '@nestjs/common';
import {
  BUILT_IN_ROLES,
  isPermission,
  permissionsOfRoles,
  secondFactorRequirement,
  type Permission,
  type RoleCatalogue,
  type SecondFactorRequirement,
} from '@crm/auth';
import { AppError } from '@crm/http';
import type { IdentityConfig } from '../identity.config.js';
import { IDENTITY_CONFIG } from '../identity.tokens.js';
import { AccountsRepository } from './accounts.repository.js';

type CustomRole = { name: string; permissions: string[]; mfa_required: boolean };

/** One role as `GET /v1/roles` lists it. */
export interface RoleListing {
  name: string;
  permissions: readonly string[];
  mfaRequired: boolean;
}

/**
 * The role catalogue as it stands: the built-in roles plus the administrator-made ones (read from their rows), and
 * what follows from it — the permissions of a set of roles and whether they must sign in with a second factor. Read
 * by the account use cases and by sign-in.
 */
@Injectable()
export class RoleCatalogueReader {
  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async catalogue(): Promise<RoleCatalogue> {
    return catalogueOf(await this.accounts.customRoles());
  }

  async permissionsOf(roles: readonly string[]): Promise<Permission[]> {
    return permissionsOfRoles(roles, await this.catalogue());
  }

  /**
   * Whether these roles must sign in with a second factor: always when they hold a sensitive permission (export,
   * audit trails, user and role management), for any role marked so, custom (`mfaRequired`) or built-in
   * (`CRM_MFA_REQUIRED_ROLES`), and by default for every role that can see personal data unless it is exempted
   * (`CRM_MFA_EXEMPT_ROLES`). `exempt` goes into the access token as `mfa_exempt`, which the guard needs to let a
   * password-only session see personal data.
   */
  async secondFactorFor(roles: readonly string[]): Promise<SecondFactorRequirement> {
    const custom = await this.accounts.customRoles();
    return this.#mfaRule(custom)(roles);
  }

  async mfaRequiredFor(roles: readonly string[]): Promise<boolean> {
    return (await this.secondFactorFor(roles)) === 'required';
  }

  async list(): Promise<RoleListing[]> {
    const custom = await this.accounts.customRoles();
    const mfaRequired = this.#mfaRule(custom);
    return Object.entries(catalogueOf(custom)).map(([name, permissions]) => ({ name, permissions, mfaRequired: mfaRequired([name]) === 'required' }));
  }

  /** ROLE_UNKNOWN unless there is at least one role and every one of them exists. */
  async assertRolesExist(roles: readonly string[]): Promise<void> {
    const catalogue = await this.catalogue();
    const unknown = roles.filter((role) => !Object.hasOwn(catalogue, role));
    if (unknown.length > 0 || roles.length === 0)
      throw new AppError('ROLE_UNKNOWN', 'invalid', 'every role must exist and at least one is needed', { details: { unknown } });
  }

  /** One read of the custom roles per decision: this runs on every sign-in. */
  #mfaRule(custom: CustomRole[]): (roles: readonly string[]) => SecondFactorRequirement {
    const catalogue = catalogueOf(custom);
    const required = [...this.config.mfaRequiredRoles, ...custom.filter((role) => role.mfa_required).map((role) => role.name)];
    return (roles) => secondFactorRequirement(roles, catalogue, { required, exempt: this.config.mfaExemptRoles });
  }
}

function catalogueOf(custom: Array<{ name: string; permissions: string[] }>): RoleCatalogue {
  return { ...BUILT_IN_ROLES, ...Object.fromEntries(custom.map((role) => [role.name, role.permissions.filter(isPermission)])) };
}
