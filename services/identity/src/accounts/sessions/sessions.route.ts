import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { SessionsHandler } from './sessions.handler.js';

const id = z.uuid();

@ApiTags('users')
@Controller('v1')
export class SessionsRoute {
  constructor(private readonly handler: SessionsHandler) {}

  /** Bound to the token's subject: there is no user id to change. */
  @RequirePermissions()
  @Get('me/sessions')
  @ApiOperation({ summary: 'Your live sessions (the current one marked)' })
  listOwn(@CurrentAuth() auth: AccessTokenClaims): Promise<ResponseOf<typeof identityApi.listOwnSessions>> {
    return this.handler.listOwn(auth.sub, auth.sid);
  }

  @RequirePermissions()
  @Delete('me/sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions (404 SESSION_NOT_FOUND for any other id)' })
  async endOwn(@Param('id') sessionId: string, @CurrentAuth() auth: AccessTokenClaims): Promise<void> {
    await this.handler.endOwn(auth.sub, validate(id, sessionId));
  }

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id/sessions')
  @ApiOperation({ summary: 'End every session of an account (needs a fresh second factor) → { ended }' })
  endAllOf(@Param('id') userId: string): Promise<ResponseOf<typeof identityApi.endSessionsOf>> {
    return this.handler.endAllOf(validate(id, userId));
  }
}
