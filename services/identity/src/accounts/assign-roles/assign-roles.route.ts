import { Body, Controller, Param, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { AssignRolesHandler } from './assign-roles.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class AssignRolesRoute {
  constructor(private readonly handler: AssignRolesHandler) {}

  // A grant is the way to every other power: roles:manage and a second factor confirmed within the step-up window, so a
  // stolen session alone cannot hand out administrators (issue 15, item 6); never one's own roles (the decision).
  @RequirePermissions('roles:manage')
  @RequireStepUp()
  @Put('users/:id/roles')
  @ApiOperation({ summary: "Replace an account's roles (never your own; needs a fresh second factor)" })
  assignRoles(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof identityApi.assignRoles>> {
    return this.handler.execute(validate(userId, id), validate(identityApi.assignRoles.request, body).roles, auth.sub, correlationId(request));
  }
}
