import { Controller, Delete, HttpCode, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { DeleteAccountHandler } from './delete-account.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class DeleteAccountRoute {
  constructor(private readonly handler: DeleteAccountHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete a staff account (never your own: 403 ACCOUNT_SELF_DELETE; nor one holding a permission you lack: 403 ACCOUNT_DELETE_EXCEEDS_PERMISSIONS): every session ends and their personal data is erased by destroying their key; needs a fresh second factor',
  })
  async delete(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<void> {
    await this.handler.execute(validate(userId, id), { id: auth.sub, permissions: auth.perms }, correlationId(request));
  }
}
