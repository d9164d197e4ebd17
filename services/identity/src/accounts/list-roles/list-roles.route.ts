import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '@crm/http';
import type { RoleListing } from '../role-catalogue.js';
import { ListRolesHandler } from './list-roles.handler.js';

@ApiTags('users')
@Controller('v1')
export class ListRolesRoute {
  constructor(private readonly handler: ListRolesHandler) {}

  @RequirePermissions('roles:manage')
  @Get('roles')
  @ApiOperation({ summary: 'The roles: built-in and administrator-made, each with its permissions' })
  roles(): Promise<RoleListing[]> {
    return this.handler.execute();
  }
}
