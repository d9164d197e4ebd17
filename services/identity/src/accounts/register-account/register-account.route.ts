import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { RegisterAccountHandler } from './register-account.handler.js';

@ApiTags('users')
@Controller('v1')
export class RegisterAccountRoute {
  constructor(private readonly handler: RegisterAccountHandler) {}

  // Creating an account grants its roles: `users:manage` alone must not make administrators, and like every grant it
  // needs a second factor confirmed within the step-up window (issue 15, item 6).
  @RequirePermissions('users:manage', 'roles:manage')
  @RequireStepUp()
  @Post('users')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a staff account (a grant of its roles: users:manage, roles:manage and a fresh second factor); the password must satisfy the policy',
  })
  register(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof identityApi.registerAccount>> {
    return this.handler.execute(validate(identityApi.registerAccount.request, body), auth.sub, correlationId(request));
  }
}
