import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { identityApi, ResponseOf } from '@crm/api-contract';
import { PERMISSIONS } from '@crm/auth';
import { RequirePermissions } from '@crm/http';

/** The permission catalogue is code (`@crm/auth`): this use case has no handler, the route answers the constant. */
@ApiTags('users')
@Controller('v1')
export class ListPermissionsRoute {
  @RequirePermissions('roles:manage')
  @Get('permissions')
  @ApiOperation({ summary: 'The permission catalogue' })
  permissions(): ResponseOf<typeof identityApi.listPermissions> {
    return [...PERMISSIONS];
  }
}
