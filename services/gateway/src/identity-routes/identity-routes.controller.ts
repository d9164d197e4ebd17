import { Controller, Delete, Get, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireStepUp } from '@crm/auth';
import { Public, RequirePermissions } from '@crm/http';
import { forward } from '../downstream/forward.js';

export const IDENTITY_URL = Symbol('IDENTITY_URL');

/**
 * The identity service's API as frontends see it. Each route states its guard here, at the edge, so the route ×
 * role matrix is enforced before a request reaches any service.
 */
@ApiTags('identity')
@Controller()
export class IdentityRoutesController {
  constructor(@Inject(IDENTITY_URL) private readonly identity: string) {}

  @Public()
  @Get('.well-known/jwks.json')
  @ApiOperation({ summary: 'Public keys that sign access tokens (rotated; cache for 5 minutes)' })
  jwks(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @Public()
  @Post('v1/auth/login')
  @ApiOperation({ summary: 'Sign in: `{ email, password }` → tokens, `{ mfaRequired, mfaToken }` or `{ mfaEnrollmentRequired, enrollmentToken }`' })
  login(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @Public()
  @Post('v1/auth/mfa')
  @ApiOperation({ summary: 'Second factor: `{ mfaToken, code }` (TOTP or recovery code) → `{ accessToken, refreshToken }`' })
  mfa(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @Public()
  @Post('v1/auth/refresh')
  @ApiOperation({ summary: 'Rotate tokens: `{ refreshToken }`; presenting a used refresh token ends the session' })
  refresh(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions()
  @ApiBearerAuth()
  @Post('v1/auth/logout')
  @ApiOperation({ summary: 'End the current session' })
  logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  // Enrolment accepts an enrolment token (first sign-in) or an access token; the identity service checks which.
  @Public()
  @Post('v1/me/mfa/totp')
  @ApiOperation({ summary: 'Start TOTP enrolment → `{ secret, otpauthUrl, qrCode }`' })
  enrol(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @Public()
  @Post('v1/me/mfa/totp/confirm')
  @ApiOperation({ summary: 'Confirm TOTP enrolment: `{ code }` → `{ recoveryCodes }` (shown once)' })
  confirm(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  // Own password: an access token, or the password-change token of an expired password; identity checks which.
  @Public()
  @Post('v1/me/password')
  @ApiOperation({ summary: 'Change your password: `{ currentPassword, newPassword }`; every session ends' })
  changePassword(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @ApiBearerAuth()
  @Delete('v1/users/:id/mfa')
  @ApiOperation({ summary: "Reset an account's second factor (needs a fresh second factor)" })
  resetMfa(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('users:manage')
  @ApiBearerAuth()
  @Get('v1/users')
  @ApiOperation({ summary: 'List staff accounts' })
  users(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('users:manage')
  @ApiBearerAuth()
  @Get('v1/users/:id')
  @ApiOperation({ summary: 'One staff account, by id' })
  user(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions()
  @ApiBearerAuth()
  @Get('v1/me')
  @ApiOperation({ summary: 'Your own account (bound to the token, not to an id)' })
  me(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('users:manage')
  @ApiBearerAuth()
  @Post('v1/users')
  @ApiOperation({ summary: 'Create a staff account' })
  createUser(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('roles:manage')
  @ApiBearerAuth()
  @Put('v1/users/:id/roles')
  @ApiOperation({ summary: "Replace an account's roles" })
  assignRoles(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('roles:manage')
  @ApiBearerAuth()
  @Get('v1/roles')
  @ApiOperation({ summary: 'Built-in and custom roles' })
  roles(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('roles:manage')
  @ApiBearerAuth()
  @Post('v1/roles')
  @ApiOperation({ summary: 'Create a custom role from the permission catalogue' })
  createRole(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }

  @RequirePermissions('roles:manage')
  @ApiBearerAuth()
  @Get('v1/permissions')
  @ApiOperation({ summary: 'The permission catalogue' })
  permissions(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.identity, request, response);
  }
}
