import { Get, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { ConsentAccessRecorder } from '../../access-recording/consent-access.recorder.js';
import { ConsentRoute, consentMetadata } from '../consent.http.js';
import { ViewConsentsHandler } from './view-consents.handler.js';

@ConsentRoute()
export class ViewConsentsRoute {
  constructor(
    private readonly handler: ViewConsentsHandler,
    private readonly access: ConsentAccessRecorder,
  ) {}

  @RequirePermissions('consent:read')
  @Get('contacts/:id/consents')
  @ApiOperation({
    summary:
      "A contact's consents and objections per purpose, and their full history with evidence; each answer is recorded as a ConsentsViewed access event (audit trail)",
  })
  async view(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.viewConsents>> {
    const view = await this.handler.execute(id);
    const evidenceCount = view.history.filter((entry) => 'evidence' in entry && entry.evidence !== null).length;
    await this.access.consentsViewed(consentMetadata(caller), { contactId: view.contactId, historyCount: view.history.length, evidenceCount });
    return view;
  }
}
