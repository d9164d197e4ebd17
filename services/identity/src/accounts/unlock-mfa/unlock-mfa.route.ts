import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { UnlockMfaHandler } from './unlock-mfa.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class UnlockMfaRoute {
  constructor(private readonly handler: UnlockMfaHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id/mfa/lock')
  @HttpCode(204)
  @ApiOperation({ summary: "Lift the hard lock of an account's second factor (after 100 failed codes); needs a fresh second factor" })
  async unlockMfa(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.handler.execute(validate(userId, id), auth.sub);
  }
}
