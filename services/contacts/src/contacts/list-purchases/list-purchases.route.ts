import { Get, Param, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { RequirePermissions, validate } from '@crm/http';
import type { TransactionPage } from '../../contact-views/contact-views.service.js';
import { purposeSchema } from '../../processing/processing-context.js';
import { ContactsRoute, CurrentCaller, purposeContext, type Caller } from '../contact.http.js';
import { ListPurchasesHandler } from './list-purchases.handler.js';

const transactionsQuery = z
  .object({ purpose: purposeSchema, limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().min(1).max(200).optional() })
  .strict();

@ContactsRoute()
export class ListPurchasesRoute {
  constructor(private readonly handler: ListPurchasesHandler) {}

  @RequirePermissions('contacts:read')
  @Get(':id/transactions')
  @ApiOperation({ summary: "A contact's purchases, newest first, minimised to `?purpose=`; paged by `before`" })
  transactions(@Param('id') id: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<TransactionPage> {
    const { purpose, ...page } = validate(transactionsQuery, query);
    return this.handler.execute(id, page, purposeContext(caller, purpose));
  }
}
