import { Delete, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { ContactsRoute, subjectRightsContext } from '../contact.http.js';
import { LiftRestrictionHandler } from './lift-restriction.handler.js';

@ContactsRoute()
export class LiftRestrictionRoute {
  constructor(private readonly handler: LiftRestrictionHandler) {}

  @RequirePermissions('contacts:write')
  @Delete(':id/restriction')
  @ApiOperation({ summary: 'Lift a restriction of processing' })
  lift(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof contactsApi.liftRestriction>> {
    return this.handler.execute(id, subjectRightsContext(caller));
  }
}
