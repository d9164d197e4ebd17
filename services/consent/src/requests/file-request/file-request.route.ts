import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { uuidv7 } from '@crm/eventstore';
import { RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { ConsentRoute } from '../../consents/consent.http.js';
import { RequestCommands } from '../request-commands.service.js';
import { requestError } from '../request.errors.js';
import { requestMetadata, requestView } from '../request.http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ConsentRoute()
export class FileRequestRoute {
  constructor(
    private readonly commands: RequestCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post('requests')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'File a data-subject request: `{ type: access|portability|rectification|erasure|restriction|objection, contactId, channel, channelReference?, receivedAt }`; due one calendar month after receipt; needs requests:manage and a fresh second factor',
  })
  async file(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof consentApi.fileRequest>> {
    const { type, contactId, channel, channelReference, receivedAt } = validate(consentApi.fileRequest.request, body);
    if (!UUID.test(contactId)) throw requestError('REQUEST_CONTACT_ID_INVALID', 'a contact id is a UUID');
    const outcome = await this.commands.file(
      {
        type: 'FileRequest',
        requestId: uuidv7(),
        contactId: contactId.toLowerCase(),
        requestType: type,
        channel,
        ...(channelReference === undefined ? {} : { channelReference }),
        receivedAt: new Date(receivedAt).toISOString(),
        actorId: caller.auth.sub,
      },
      requestMetadata(caller),
    );
    return requestView(outcome.state, outcome.version, this.clock());
  }
}
