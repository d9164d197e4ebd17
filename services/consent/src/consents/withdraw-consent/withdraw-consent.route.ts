import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { channelSchema, purposeCode } from '../consent.body.js';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import type { ConsentAnswer } from '../give-consent/give-consent.handler.js';
import { WithdrawConsentHandler } from './withdraw-consent.handler.js';

const withdrawBody = z.object({ channel: channelSchema.optional() }).strict();

@ConsentRoute()
export class WithdrawConsentRoute {
  constructor(private readonly handler: WithdrawConsentHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/consents/:purpose/withdrawal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the consent in force for a purpose (Art. 7(3)); body optional: `{ channel }`' })
  withdraw(@Param('id') id: string, @Param('purpose') purpose: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ConsentAnswer> {
    const { channel } = validate(withdrawBody, body ?? {});
    return this.handler.execute(id, validate(purposeCode, purpose), channel, consentMetadata(caller));
  }
}
