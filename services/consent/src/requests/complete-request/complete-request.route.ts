import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute } from '../../consents/consent.http.js';
import { requestMetadata, requestView } from '../request.http.js';
import { CompleteRequestHandler } from './complete-request.handler.js';

@ConsentRoute()
export class CompleteRequestRoute {
  constructor(
    private readonly handler: CompleteRequestHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/completion')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Complete a verified request, doing its work: access → sealed package (JSON, HTML), portability → JSON and CSV, erasure → the contact erased and a receipt, rectification → `changes`, restriction → `restrictionReason`, objection → `purpose`; needs requests:manage and a fresh second factor',
  })
  async complete(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.completeRequest>> {
    const input = validate(consentApi.completeRequest.request, body ?? {});
    const { reference, purpose, changes, expectedVersion, restrictionReason } = input;
    const outcome = await this.handler.execute(
      id,
      {
        ...(reference === undefined ? {} : { reference }),
        ...(purpose === undefined ? {} : { purpose }),
        ...(changes === undefined ? {} : { changes }),
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        ...(restrictionReason === undefined ? {} : { restrictionReason }),
      },
      requestMetadata(caller),
      caller,
    );
    return {
      ...requestView(outcome.state, outcome.version, this.clock()),
      ...('package' in outcome && outcome.package !== undefined ? { package: outcome.package } : {}),
      ...('receipt' in outcome && outcome.receipt !== undefined ? { receipt: outcome.receipt } : {}),
    };
  }
}
