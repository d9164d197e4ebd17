import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import type { AccountView } from '../account.views.js';
import { RegisterAccountHandler } from './register-account.handler.js';

const registerBody = z
  .object({
    email: z.email().max(320),
    displayName: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(1024),
    roles: z.array(z.string().max(40)).min(1).max(20),
    birthDate: z.iso.date().optional(),
  })
  .strict();

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
  register(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<AccountView> {
    return this.handler.execute(validate(registerBody, body), auth.sub, correlationId(request));
  }
}
