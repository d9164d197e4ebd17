import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { DisableAccountHandler } from './disable-account.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class DisableAccountRoute {
  constructor(private readonly handler: DisableAccountHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Post('users/:id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a staff account (never your own): every session ends, sign-in and refresh are refused; needs a fresh second factor' })
  disable(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof identityApi.disableAccount>> {
    return this.handler.disable(validate(userId, id), auth.sub, correlationId(request));
  }

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Post('users/:id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled staff account again; needs a fresh second factor' })
  enable(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof identityApi.enableAccount>> {
    return this.handler.enable(validate(userId, id), auth.sub, correlationId(request));
  }
}
