import { Body, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { contactsApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { validateTransactionInput } from '../../contact-schema/index.js';
import { ContactsRoute, purposeContext } from '../contact.http.js';
import { AddPurchaseHandler } from './add-purchase.handler.js';

@ContactsRoute()
export class AddPurchaseRoute {
  constructor(private readonly handler: AddPurchaseHandler) {}

  @RequirePermissions('contacts:write')
  @Post(':id/transactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a purchase or refund: `{ purpose, transactionId?, transaction: { description, amountCents, currency, occurredAt } }`' })
  addTransaction(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof contactsApi.addPurchase>> {
    const input = validate(contactsApi.addPurchase.request, body);
    const purchase = validateTransactionInput(input.transaction);
    return this.handler.execute(id, purchase, input.transactionId, purposeContext(caller, input.purpose, input.legalBasis));
  }
}
