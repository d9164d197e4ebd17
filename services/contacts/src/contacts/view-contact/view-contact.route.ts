import { Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ContactsRoute, readContext, readFields, withVersionTag } from '../contact.http.js';
import { ViewContactHandler } from './view-contact.handler.js';

const viewQuery = z.object(readFields).strict();

@ContactsRoute()
export class ViewContactRoute {
  constructor(private readonly handler: ViewContactHandler) {}

  @RequirePermissions('contacts:read')
  @Get(':id')
  @ApiOperation({
    summary:
      'One contact, minimised to `?purpose=` (`&legalBasis=` one of its bases); 403 CONSENT_REQUIRED / OBJECTION_RECORDED when that basis is missing; the ETag is its version',
  })
  async one(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof contactsApi.viewContact>> {
    const { purpose, legalBasis } = validate(viewQuery, query);
    return withVersionTag(response, await this.handler.execute(id, readContext(caller, purpose, legalBasis)));
  }
}
