import { Controller, Delete, HttpCode, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { ResetMfaHandler } from './reset-mfa.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class ResetMfaRoute {
  constructor(private readonly handler: ResetMfaHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id/mfa')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Reset an account's second factor (it must enrol again; never your own: 403 MFA_SELF_RESET; nor an account holding a permission you lack: 403 MFA_RESET_EXCEEDS_PERMISSIONS); needs a fresh second factor of the administrator",
  })
  async resetMfa(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<void> {
    await this.handler.execute(validate(userId, id), { id: auth.sub, permissions: auth.perms }, correlationId(request));
  }
}
