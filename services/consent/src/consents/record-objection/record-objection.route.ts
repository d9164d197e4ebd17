import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { RecordObjectionHandler } from './record-objection.handler.js';

@ConsentRoute()
export class RecordObjectionRoute {
  constructor(private readonly handler: RecordObjectionHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/objections')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an objection (Art. 21): `{ purpose, channel? }`; only for purposes that may rest on legitimate interests' })
  object(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.recordObjection>> {
    const { purpose, channel } = validate(consentApi.recordObjection.request, body);
    return this.handler.execute(id, purpose, channel, consentMetadata(caller));
  }
}
