import { Get, Param, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ContactsRoute, readContext, readFields } from '../contact.http.js';
import { ListPurchasesHandler } from './list-purchases.handler.js';

const transactionsQuery = z
  .object({ ...readFields, limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().min(1).max(200).optional() })
  .strict();

@ContactsRoute()
export class ListPurchasesRoute {
  constructor(private readonly handler: ListPurchasesHandler) {}

  @RequirePermissions('contacts:read')
  @Get(':id/transactions')
  @ApiOperation({
    summary:
      "A contact's purchases, newest first, minimised to `?purpose=`; paged by `before`; 403 CONSENT_REQUIRED / OBJECTION_RECORDED when the basis is missing",
  })
  transactions(@Param('id') id: string, @Query() query: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof contactsApi.listPurchases>> {
    const { purpose, legalBasis, ...page } = validate(transactionsQuery, query);
    return this.handler.execute(id, page, readContext(caller, purpose, legalBasis));
  }
}
