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
export class VerifyIdentityRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests/:id/verification')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Record the requester's identity verification: `{ method, evidence }` (evidence sealed); needed before any work or disclosure; needs requests:manage and a fresh second factor",
  })
  async verify(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.verifyIdentity>> {
    const { method, evidence } = validate(consentApi.verifyIdentity.request, body);
    const outcome = await this.commands.onFiled({ type: 'VerifyIdentity', requestId: id, method, evidence, actorId: caller.auth.sub }, requestMetadata(caller));
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
