import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireStepUp } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute, CurrentCaller, type Caller } from '../../consents/consent.http.js';
import { RequestCommands } from '../request-commands.service.js';
import { personalText, requestMetadata, requestView, type RequestView } from '../request.http.js';

const completeBody = z.object({ reference: personalText(1000).optional() }).strict();

@ConsentRoute()
export class CompleteRequestRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/completion')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Record a verified request as completed: `{ reference? }` to the operation done (sealed); body optional; needs requests:manage and a fresh second factor',
  })
  async complete(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<RequestView> {
    const { reference } = validate(completeBody, body ?? {});
    const outcome = await this.commands.onFiled(
      { type: 'CompleteRequest', requestId: id, ...(reference === undefined ? {} : { reference }), actorId: caller.auth.sub },
      requestMetadata(caller),
    );
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
