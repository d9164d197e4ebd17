import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { channelSchema, purposeCode } from '../consent.body.js';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { RecordObjectionHandler, type ObjectionAnswer } from './record-objection.handler.js';

const objectionBody = z.object({ purpose: purposeCode, channel: channelSchema.optional() }).strict();

@ConsentRoute()
export class RecordObjectionRoute {
  constructor(private readonly handler: RecordObjectionHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/objections')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an objection (Art. 21): `{ purpose, channel? }`; only for purposes that may rest on legitimate interests' })
  object(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ObjectionAnswer> {
    const { purpose, channel } = validate(objectionBody, body);
    return this.handler.execute(id, purpose, channel, consentMetadata(caller));
  }
}
