import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { DefineRoleHandler, type DefinedRole } from './define-role.handler.js';

const roleBody = z
  .object({ name: z.string().max(40), permissions: z.array(z.string().max(40)).min(1).max(50), mfaRequired: z.boolean().default(false) })
  .strict();

@ApiTags('users')
@Controller('v1')
export class DefineRoleRoute {
  constructor(private readonly handler: DefineRoleHandler) {}

  @RequirePermissions('roles:manage')
  @Post('roles')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a custom role from the permission catalogue' })
  createRole(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<DefinedRole> {
    const { name, permissions, mfaRequired } = validate(roleBody, body);
    return this.handler.execute(name, permissions, mfaRequired, auth.sub, correlationId(request));
  }
}
