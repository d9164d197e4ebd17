import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ViewAccountHandler } from './view-account.handler.js';

const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class ViewAccountRoute {
  constructor(private readonly handler: ViewAccountHandler) {}

  @RequirePermissions('users:manage')
  @Get('users/:id')
  @ApiOperation({ summary: 'One staff account, by id' })
  one(@Param('id') id: string): Promise<ResponseOf<typeof identityApi.viewAccount>> {
    return this.handler.execute(validate(userId, id));
  }

  /** Self-service is bound to the token's subject, never to an id in the URL: there is no id to change. */
  @RequirePermissions()
  @Get('me')
  @ApiOperation({ summary: 'Your own account' })
  me(@CurrentAuth() auth: AccessTokenClaims): Promise<ResponseOf<typeof identityApi.viewOwnAccount>> {
    return this.handler.execute(auth.sub);
  }
}
