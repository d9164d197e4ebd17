import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import type { ContactView } from '../../contact-views/contact-views.service.js';
import { purposeSchema } from '../../processing/processing-context.js';
import { purposeContext, withVersionTag } from '../contact.http.js';
import { ViewContactHandler } from './view-contact.handler.js';

const viewQuery = z.object({ purpose: purposeSchema }).strict();

@ApiTags('contacts')
@Controller('v1/contacts')
export class ViewContactRoute {
  constructor(private readonly handler: ViewContactHandler) {}

  @RequirePermissions('contacts:read')
  @Get(':id')
  @ApiOperation({ summary: 'One contact, minimised to `?purpose=`; the ETag is its version (send it back as If-Match)' })
  async one(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const { purpose } = validate(viewQuery, query);
    return withVersionTag(response, await this.handler.execute(id, purposeContext(auth, request, purpose)));
  }
}
