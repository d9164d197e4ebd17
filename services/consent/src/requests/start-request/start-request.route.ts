import { HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestCommands } from '../request-commands.service.js';
import { requestMetadata, requestView } from '../request.http.js';

@ConsentRoute()
export class StartRequestRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start work on a verified request (in progress); needs requests:manage and a fresh second factor' })
  async start(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.startRequest>> {
    const outcome = await this.commands.onFiled({ type: 'StartRequest', requestId: id, actorId: caller.auth.sub }, requestMetadata(caller));
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
