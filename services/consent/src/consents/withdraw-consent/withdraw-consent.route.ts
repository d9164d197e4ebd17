import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { WithdrawConsentHandler } from './withdraw-consent.handler.js';

@ConsentRoute()
export class WithdrawConsentRoute {
  constructor(private readonly handler: WithdrawConsentHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/consents/:purpose/withdrawal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the consent in force for a purpose (Art. 7(3)); body optional: `{ channel }`' })
  withdraw(
    @Param('id') id: string,
    @Param('purpose') purpose: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
  ): Promise<ResponseOf<typeof consentApi.withdrawConsent>> {
    const { channel } = validate(consentApi.withdrawConsent.request, body ?? {});
    return this.handler.execute(id, validate(consentApi.purposeCode, purpose), channel, consentMetadata(caller));
  }
}
