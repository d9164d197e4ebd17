import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { contactsApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequireAnyPermission, validate } from '@crm/http';
import { ContactsRoute, subjectRightsContext } from '../contact.http.js';
import { RestrictProcessingHandler } from './restrict-processing.handler.js';

@ContactsRoute()
export class RestrictProcessingRoute {
  constructor(private readonly handler: RestrictProcessingHandler) {}

  // A data subject's right (Art. 18), so also the DPO's, working the person's request (the request desk calls it with
  // the DPO's token); recorded under data-subject-rights whoever does it.
  @RequireAnyPermission('contacts:write', 'requests:manage')
  @Post(':id/restriction')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Restrict processing (Art. 18): `{ reason }`; the contact becomes read-only and leaves every export (contacts:write, or the DPO's requests:manage)",
  })
  restrict(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof contactsApi.restrictProcessing>> {
    const { reason } = validate(contactsApi.restrictProcessing.request, body);
    return this.handler.execute(id, reason, subjectRightsContext(caller));
  }
}
