import { HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { correlationId, Public } from '@crm/http';
import { ConsentRoute } from '../consent.http.js';
import { ConfirmConsentHandler } from './confirm-consent.handler.js';

/**
 * The link in the double opt-in e-mail: public (the person has no account), the token is the credential. The gateway
 * puts this path in its strict rate-limit bucket, as it does sign-in, so tokens cannot be guessed at speed.
 */
@ConsentRoute()
export class ConfirmConsentRoute {
  constructor(private readonly handler: ConfirmConsentHandler) {}

  @Public()
  @Post('consent-confirmations/:token')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Confirm a double opt-in (no sign-in; the token mailed to the person): the consent asked for is given. A token confirms once (CONSENT_CONFIRMATION_USED) and expires (CONSENT_CONFIRMATION_EXPIRED)',
  })
  confirm(@Param('token') token: string, @Req() request: Request): Promise<ResponseOf<typeof consentApi.confirmConsent>> {
    return this.handler.execute(token, correlationId(request));
  }
}
