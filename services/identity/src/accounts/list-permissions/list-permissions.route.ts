import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PERMISSIONS } from '@crm/auth';
import { RequirePermissions } from '@crm/http';

/** The permission catalogue is code (`@crm/auth`): this use case has no handler, the route answers the constant. */
@ApiTags('users')
@Controller('v1')
export class ListPermissionsRoute {
  @RequirePermissions('roles:manage')
  @Get('permissions')
  @ApiOperation({ summary: 'The permission catalogue' })
  permissions(): readonly string[] {
    return PERMISSIONS;
  }
}
