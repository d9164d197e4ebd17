import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { channelSchema, evidenceSchema, noticeVersionSchema, purposeCode } from '../consent.body.js';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { GiveConsentHandler, type ConsentAnswer } from './give-consent.handler.js';

const giveBody = z.object({ purpose: purposeCode, noticeVersion: noticeVersionSchema, channel: channelSchema, evidence: evidenceSchema }).strict();

@ConsentRoute()
export class GiveConsentRoute {
  constructor(private readonly handler: GiveConsentHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/consents')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record consent given: `{ purpose, noticeVersion, channel, evidence: { kind, reference } }`; only for consent-based purposes' })
  give(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ConsentAnswer> {
    return this.handler.execute(id, validate(giveBody, body), consentMetadata(caller));
  }
}
