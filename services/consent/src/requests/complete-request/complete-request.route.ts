import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { purposeCode } from '../../consents/consent.body.js';
import { ConsentRoute } from '../../consents/consent.http.js';
import { personalText, requestMetadata, requestView, type RequestView } from '../request.http.js';
import { CompleteRequestHandler } from './complete-request.handler.js';

const completeBody = z.object({ reference: personalText(1000).optional(), purpose: purposeCode.optional() }).strict();

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
      'Complete a verified request: `{ reference?, purpose? }` (reference sealed; body optional); an objection request names the `purpose` and the objection is recorded; needs requests:manage and a fresh second factor',
  })
  async complete(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<RequestView> {
    const input = validate(completeBody, body ?? {});
    const outcome = await this.handler.execute(
      id,
      { ...(input.reference === undefined ? {} : { reference: input.reference }), ...(input.purpose === undefined ? {} : { purpose: input.purpose }) },
      requestMetadata(caller),
    );
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
