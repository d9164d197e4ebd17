import { Body, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { GiveConsentHandler } from './give-consent.handler.js';

@ConsentRoute()
export class GiveConsentRoute {
  constructor(private readonly handler: GiveConsentHandler) {}

  @RequirePermissions('consent:write')
  @Post('contacts/:id/consents')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Record consent given: `{ purpose, noticeVersion, channel, evidence: { kind, reference } }`; only for consent-based purposes. Marketing by e-mail is double opt-in: 202 with a single-use confirmation token to mail to the person',
  })
  @ApiResponse({ status: 201, description: 'The consent in force' })
  @ApiResponse({
    status: 202,
    description: 'Marketing by e-mail: waits for the person to confirm with `confirmation.token` (POST /v1/consent-confirmations/{token}) before it expires',
  })
  async give(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof consentApi.giveConsent>> {
    const answer = await this.handler.execute(id, validate(consentApi.giveConsent.request, body), consentMetadata(caller));
    if ('confirmation' in answer) {
      response.status(202);
      // The token is a bearer secret: no cache may keep the answer.
      response.setHeader('cache-control', 'no-store');
    }
    return answer;
  }
}
