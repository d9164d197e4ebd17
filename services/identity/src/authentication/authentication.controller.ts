import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import type { Secret } from '@crm/config';
import { correlationId, forwardedClientAddress, Public, RequirePermissions, validate } from '@crm/http';
import { GATEWAY_FORWARDING_SECRET } from '../identity.tokens.js';
import { AuthenticationService, type LoginOutcome, type Tokens } from './authentication.service.js';

const loginBody = z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) }).strict();
const mfaBody = z.object({ mfaToken: z.string().min(1).max(4096), code: z.string().min(1).max(64) }).strict();
const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) }).strict();

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
  login(@Body() body: unknown, @Req() request: Request): Promise<LoginOutcome> {
    const { email, password } = validate(loginBody, body);
    return this.authentication.login(email, password, forwardedClientAddress(request, this.forwarding.reveal()), correlationId(request));
  }

  @Public()
  @Post('mfa')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete sign-in with a TOTP code or a recovery code' })
  mfa(@Body() body: unknown, @Req() request: Request): Promise<Tokens> {
    const { mfaToken, code } = validate(mfaBody, body);
    return this.authentication.completeMfa(mfaToken, code, correlationId(request));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (the old refresh token dies; reusing it ends the session)' })
  refresh(@Body() body: unknown): Promise<Tokens> {
    return this.authentication.refresh(validate(refreshBody, body).refreshToken);
  }

  @RequirePermissions()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the current session: its refresh token and access tokens stop working' })
  async logout(@CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.authentication.logout(auth);
  }
}
