import { Body, Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identityApi } from '@crm/api-contract';
import type { Secret } from '@crm/config';
import { correlationId, forwardedClientAddress, Public, validate } from '@crm/http';
import { GATEWAY_FORWARDING_SECRET } from '../../identity.tokens.js';
import { AuthenticationService } from '../../authentication/authentication.service.js';
import { BootstrapPassword } from '../bootstrap-password.js';
import { ChangePasswordHandler } from './change-password.handler.js';

/**
 * Changing one's own password. Open to a signed-in user (access token) and to a user whom sign-in answered
 * `passwordChangeRequired` (the password-change token: a password set by an administrator or generated at first
 * start, or one past its maximum age), hence `@Public()` with the check done here. The current password is always
 * required: a stolen session alone must not be enough to take the account over.
 */
@ApiTags('authentication')
@Controller('v1/me/password')
export class ChangePasswordRoute {
  constructor(
    private readonly handler: ChangePasswordHandler,
    private readonly authentication: AuthenticationService,
    @Inject(GATEWAY_FORWARDING_SECRET) private readonly forwarding: Secret,
    private readonly bootstrapPassword: BootstrapPassword,
  ) {}

  @Public()
  @Post()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Change your password (policy and history apply; the password-change token of a sign-in, or an access token); every session ends. Required at the first sign-in of every account',
  })
  async change(@Body() payload: unknown, @Headers('authorization') authorization: string | undefined, @Req() request: Request): Promise<void> {
    const { currentPassword, newPassword, passwordChangeToken } = validate(identityApi.changePassword.request, payload);
    const userId = await this.authentication.callerOf(passwordChangeToken, authorization, 'password');
    await this.authentication.confirmPassword(userId, currentPassword, forwardedClientAddress(request, this.forwarding.reveal()));
    await this.handler.execute(userId, newPassword, correlationId(request));
    // The sign-in step is done: its token is spent (the new password signs in from here).
    if (passwordChangeToken !== undefined) await this.authentication.challenges.consume(passwordChangeToken, 'password');
    // The bootstrap administrator replaced the generated password: its file goes.
    await this.bootstrapPassword.discardIfReplaced(currentPassword);
  }
}
