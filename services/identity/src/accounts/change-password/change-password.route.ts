import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import type { Secret } from '@crm/config';
import { correlationId, forwardedClientAddress, Public, validate } from '@crm/http';
import { GATEWAY_FORWARDING_SECRET } from '../../identity.tokens.js';
import { AuthenticationService } from '../../authentication/authentication.service.js';
import { ChangePasswordHandler } from './change-password.handler.js';

const body = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(1).max(1024),
    passwordChangeToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

/**
 * Changing one's own password. Open to a signed-in user (access token) and to a user whose password expired (the
 * password-change token from sign-in), hence `@Public()` with the check done here. The current password is always
 * required: a stolen session alone must not be enough to take the account over.
 */
@ApiTags('authentication')
@Controller('v1/me/password')
export class ChangePasswordRoute {
  constructor(
    private readonly handler: ChangePasswordHandler,
    private readonly authentication: AuthenticationService,
    @Inject(GATEWAY_FORWARDING_SECRET) private readonly forwarding: Secret,
  ) {}

  @Public()
  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password (policy and history apply); every session ends' })
  async change(@Body() payload: unknown, @Headers('authorization') authorization: string | undefined, @Req() request: Request): Promise<void> {
    const { currentPassword, newPassword, passwordChangeToken } = validate(body, payload);
    const userId = await this.authentication.callerOf(passwordChangeToken, authorization, 'password');
    await this.authentication.confirmPassword(userId, currentPassword, forwardedClientAddress(request, this.forwarding.reveal()));
    await this.handler.execute(userId, newPassword, correlationId(request));
  }
}
