import { Get, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestOutputs } from '../request-outputs/request-outputs.repository.js';
import { SubjectServices } from '../request-outputs/subject-services.js';
import { requestError } from '../request.errors.js';
import { isRequestId } from '../request.streams.js';

@ConsentRoute()
export class ViewReceiptRoute {
  constructor(
    private readonly outputs: RequestOutputs,
    private readonly services: SubjectServices,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Get('requests/:id/receipt')
  @ApiOperation({
    summary:
      "A completed erasure request's receipt: what was destroyed, the erasure-ledger entry, the events and the audit inclusion proof of the erasure; needs requests:manage and a fresh second factor",
  })
  async receipt(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.viewReceipt>> {
    const receipt = isRequestId(id) ? await this.outputs.receipt(id) : undefined;
    if (receipt === undefined) throw requestError('REQUEST_RECEIPT_NOT_FOUND', 'no erasure receipt for this request');
    const erased = receipt.events.find((event) => event.type === 'crm.contacts.v1.ContactErased');
    if (erased === undefined) return { ...receipt, inclusionProof: { status: 'none' } };
    const proof = await this.services.inclusionProof(erased.eventId, caller);
    return {
      ...receipt,
      inclusionProof: proof === undefined ? { status: 'pending', eventId: erased.eventId } : { status: 'included', eventId: erased.eventId, proof },
    };
  }
}
