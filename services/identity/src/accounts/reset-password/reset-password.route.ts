import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { ResetPasswordHandler } from './reset-password.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class ResetPasswordRoute {
  constructor(private readonly handler: ResetPasswordHandler) {}

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Post('users/:id/password-reset')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Reset someone's password (never your own: 403 PASSWORD_SELF_RESET; nor an account holding a permission you lack: 403 PASSWORD_RESET_EXCEEDS_PERMISSIONS; unknown account: 404 USER_NOT_FOUND) → `{ oneTimePassword, sessionsEnded }`, shown once; it must be changed at the next sign-in, every session of the account ends; needs a fresh second factor",
  })
  async reset(
    @Param('id') id: string,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof identityApi.resetPassword>> {
    const outcome = await this.handler.execute(validate(userId, id), { id: auth.sub, permissions: auth.perms }, correlationId(request));
    // A credential in the body: no cache keeps it.
    response.setHeader('cache-control', 'no-store');
    return outcome;
  }
}
