import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import type { Secret } from '@crm/config';
import { correlationId, forwardedClientAddress, Public, RequirePermissions, validate } from '@crm/http';
import { GATEWAY_FORWARDING_SECRET } from '../identity.tokens.js';
import { AuthenticationService } from './authentication.service.js';

@ApiTags('authentication')
@Controller('v1/auth')
export class AuthenticationController {
  constructor(
    private readonly authentication: AuthenticationService,
    /** The proof that a request's X-Forwarded-For was set by the gateway: a direct caller is counted by its own address. */
    @Inject(GATEWAY_FORWARDING_SECRET) private readonly forwarding: Secret,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in with e-mail and password; answers tokens, or the next step: the password change a password set by someone else needs first, the second factor, or its enrolment',
  })
  login(@Body() body: unknown, @Req() request: Request): Promise<ResponseOf<typeof identityApi.login>> {
    const { email, password } = validate(identityApi.login.request, body);
    return this.authentication.login(email, password, forwardedClientAddress(request, this.forwarding.reveal()), correlationId(request));
  }

  @Public()
  @Post('mfa')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete sign-in with a TOTP code or a recovery code' })
  mfa(@Body() body: unknown, @Req() request: Request): Promise<ResponseOf<typeof identityApi.completeMfa>> {
    const { mfaToken, code } = validate(identityApi.completeMfa.request, body);
    return this.authentication.completeMfa(mfaToken, code, correlationId(request));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old refresh token dies; reusing it ends the session)' })
  refresh(@Body() body: unknown): Promise<ResponseOf<typeof identityApi.refresh>> {
    return this.authentication.refresh(validate(identityApi.refresh.request, body).refreshToken);
  }

  @RequirePermissions()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session: its refresh token and access tokens stop working' })
  async logout(@CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.authentication.logout(auth);
  }
}
