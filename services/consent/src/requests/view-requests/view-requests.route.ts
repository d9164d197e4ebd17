import { Get, Param, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { RequireStepUp } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ConsentRoute } from '../../consents/consent.http.js';
import { ViewRequestsHandler } from './view-requests.handler.js';

const listQuery = z.object({ status: z.enum(['open', 'due-soon', 'overdue']).default('open') }).strict();

@ConsentRoute()
export class ViewRequestsRoute {
  constructor(private readonly handler: ViewRequestsHandler) {}

  @RequirePermissions('requests:manage')
  @Get('requests')
  @ApiOperation({ summary: 'Data-subject requests by `?status=open|due-soon|overdue` (default open), soonest due first; needs requests:manage' })
  list(@Query() query: unknown): Promise<ResponseOf<typeof consentApi.listRequests>> {
    return this.handler.list(validate(listQuery, query).status);
  }

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Get('requests/:id')
  @ApiOperation({ summary: 'One data-subject request with its history (evidence and reasons opened); needs requests:manage and a fresh second factor' })
  one(@Param('id') id: string): Promise<ResponseOf<typeof consentApi.viewRequest>> {
    return this.handler.one(id);
  }
}
