import { Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { RequirePermissions, validate } from '@crm/http';
import type { ContactView } from '../../contact-views/contact-views.service.js';
import { purposeSchema } from '../../processing/processing-context.js';
import { ContactsRoute, CurrentCaller, purposeContext, withVersionTag, type Caller } from '../contact.http.js';
import { ViewContactHandler } from './view-contact.handler.js';

const viewQuery = z.object({ purpose: purposeSchema }).strict();

@ContactsRoute()
export class ViewContactRoute {
  constructor(private readonly handler: ViewContactHandler) {}

  @RequirePermissions('contacts:read')
  @Get(':id')
  @ApiOperation({ summary: 'One contact, minimised to `?purpose=`; the ETag is its version (send it back as If-Match)' })
  async one(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const { purpose } = validate(viewQuery, query);
    return withVersionTag(response, await this.handler.execute(id, purposeContext(caller, purpose)));
  }
}
