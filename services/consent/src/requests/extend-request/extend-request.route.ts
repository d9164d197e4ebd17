import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestCommands } from '../request-commands.service.js';
import { requestMetadata, requestView } from '../request.http.js';

@ConsentRoute()
export class ExtendRequestRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/extension')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Extend the period (Art. 12(3)): `{ months, reason }` (reason sealed); two further months at most in total, decided within the first month; needs requests:manage and a fresh second factor',
  })
  async extend(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.extendRequest>> {
    const { months, reason } = validate(consentApi.extendRequest.request, body);
    const outcome = await this.commands.onFiled({ type: 'ExtendRequest', requestId: id, months, reason, actorId: caller.auth.sub }, requestMetadata(caller));
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
