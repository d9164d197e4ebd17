import { Controller, Delete, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { DATA_SUBJECT_RIGHTS_PURPOSE, processingContext } from '../../processing/processing-context.js';
import type { RestrictionStatus } from '../restrict-processing/restrict-processing.handler.js';
import { LiftRestrictionHandler } from './lift-restriction.handler.js';

@ApiTags('contacts')
@Controller('v1/contacts')
export class LiftRestrictionRoute {
  constructor(private readonly handler: LiftRestrictionHandler) {}

  @RequirePermissions('contacts:write')
  @Delete(':id/restriction')
  @ApiOperation({ summary: 'Lift a restriction of processing' })
  lift(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<RestrictionStatus> {
    return this.handler.execute(id, processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation'));
  }
}
