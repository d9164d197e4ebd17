import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { RESTRICTION_REASONS } from '../contact.decider.js';
import { ContactsRoute, subjectRightsContext } from '../contact.http.js';
import { RestrictProcessingHandler, type RestrictionStatus } from './restrict-processing.handler.js';

const restrictionBody = z.object({ reason: z.enum(RESTRICTION_REASONS) }).strict();

@ContactsRoute()
export class RestrictProcessingRoute {
  constructor(private readonly handler: RestrictProcessingHandler) {}

  @RequirePermissions('contacts:write')
  @Post(':id/restriction')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restrict processing (Art. 18): `{ reason }`; the contact becomes read-only and leaves every export' })
  restrict(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<RestrictionStatus> {
    const { reason } = validate(restrictionBody, body);
    return this.handler.execute(id, reason, subjectRightsContext(caller));
  }
}
