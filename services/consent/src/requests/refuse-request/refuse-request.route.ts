import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestCommands } from '../request-commands.service.js';
import { personalText, requestMetadata, requestView, type RequestView } from '../request.http.js';

const refuseBody = z.object({ reason: personalText(2000) }).strict();

@ConsentRoute()
export class RefuseRequestRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/refusal')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refuse an open request with the reason told to the person: `{ reason }` (sealed); needs requests:manage and a fresh second factor',
  })
  async refuse(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<RequestView> {
    const { reason } = validate(refuseBody, body);
    const outcome = await this.commands.onFiled({ type: 'RefuseRequest', requestId: id, reason, actorId: caller.auth.sub }, requestMetadata(caller));
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
