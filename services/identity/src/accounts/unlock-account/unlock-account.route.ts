import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { UnlockAccountHandler } from './unlock-account.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class UnlockAccountRoute {
  constructor(private readonly handler: UnlockAccountHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id/lock')
  @HttpCode(204)
  @ApiOperation({
    summary:
      "Lift an account's hard locks (100 failed second-factor codes, or 100 consecutive failed sign-ins; not of an account holding a permission you lack: 403 ACCOUNT_UNLOCK_EXCEEDS_PERMISSIONS); needs a fresh second factor",
  })
  async unlock(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.handler.execute(validate(userId, id), { id: auth.sub, permissions: auth.perms });
  }
}
