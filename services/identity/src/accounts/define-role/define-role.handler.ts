import { Inject, Injectable } from '@nestjs/common';
import { BUILT_IN_ROLES, isPermission, requiresMfa } from '@crm/auth';
import type { CommandPipeline } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { COMMAND_PIPELINE } from '@crm/platform';
import { identityMetadata } from '../identity.events.js';
import { RoleWriteModel } from '../role.write-model.js';

const ROLE_NAME = /^[a-z][a-z0-9-]{1,39}$/;

export interface DefinedRole {
  name: string;
  permissions: string[];
  mfaRequired: boolean;
}

/** A custom role from the permission catalogue; a role holding a sensitive permission always requires a second factor. */
@Injectable()
export class DefineRoleHandler {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly roles: RoleWriteModel,
  ) {}

  async execute(name: string, permissions: string[], mfaRequired: boolean, actorId: string, correlationId: string): Promise<DefinedRole> {
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
}
