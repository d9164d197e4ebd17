import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { identityApi, ResponseOf } from '@crm/api-contract';
import { RequirePermissions } from '@crm/http';
import { ListRolesHandler } from './list-roles.handler.js';

@ApiTags('users')
@Controller('v1')
export class ListRolesRoute {
  constructor(private readonly handler: ListRolesHandler) {}

  @RequirePermissions('roles:manage')
  @Get('roles')
  @ApiOperation({ summary: 'The roles: built-in and administrator-made, each with its permissions' })
  async roles(): Promise<ResponseOf<typeof identityApi.listRoles>> {
    return (await this.handler.execute()).map(({ name, permissions, mfaRequired }) => ({ name, permissions: [...permissions], mfaRequired }));
  }
}
