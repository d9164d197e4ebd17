import { Get, Param } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { RequirePermissions } from '@crm/http';
import { ConsentRoute } from '../consent.http.js';
import { ViewConsentsHandler, type ConsentsView } from './view-consents.handler.js';

@ConsentRoute()
export class ViewConsentsRoute {
  constructor(private readonly handler: ViewConsentsHandler) {}

  @RequirePermissions('consent:read')
  @Get('contacts/:id/consents')
  @ApiOperation({ summary: "A contact's consents and objections per purpose, and their full history with evidence" })
  view(@Param('id') id: string): Promise<ConsentsView> {
    return this.handler.execute(id);
  }
}
