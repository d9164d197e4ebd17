import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { DATA_SUBJECT_RIGHTS_PURPOSE, processingContext } from '../../processing/processing-context.js';
import { RESTRICTION_REASONS } from '../contact.decider.js';
import { RestrictProcessingHandler, type RestrictionStatus } from './restrict-processing.handler.js';

const restrictionBody = z.object({ reason: z.enum(RESTRICTION_REASONS) }).strict();

@ApiTags('contacts')
@Controller('v1/contacts')
export class RestrictProcessingRoute {
  constructor(private readonly handler: RestrictProcessingHandler) {}

  @RequirePermissions('contacts:write')
  @Post(':id/restriction')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restrict processing (Art. 18): `{ reason }`; the contact becomes read-only and leaves every export' })
  restrict(@Param('id') id: string, @Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<RestrictionStatus> {
    const { reason } = validate(restrictionBody, body);
    // A data subject's request, handled under the controller's legal obligation, whoever files it.
    return this.handler.execute(id, reason, processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation'));
  }
}
