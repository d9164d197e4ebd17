import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { DefineRoleHandler } from './define-role.handler.js';

@ApiTags('users')
@Controller('v1')
export class DefineRoleRoute {
  constructor(private readonly handler: DefineRoleHandler) {}

  @RequirePermissions('roles:manage')
  @Post('roles')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a custom role from the permission catalogue' })
  createRole(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof identityApi.defineRole>> {
    const { name, permissions, mfaRequired } = validate(identityApi.defineRole.request, body);
    return this.handler.execute(name, permissions, mfaRequired, auth.sub, correlationId(request));
  }
}
