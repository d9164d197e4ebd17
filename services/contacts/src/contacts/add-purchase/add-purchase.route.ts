import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { validateTransactionInput } from '../../contact-schema/index.js';
import { processingContext } from '../../processing/processing-context.js';
import { processingFields } from '../contact.http.js';
import { AddPurchaseHandler, type RecordedPurchase } from './add-purchase.handler.js';

const transactionBody = z.object({ ...processingFields, transactionId: z.uuid().optional(), transaction: z.unknown() }).strict();

@ApiTags('contacts')
@Controller('v1/contacts')
export class AddPurchaseRoute {
  constructor(private readonly handler: AddPurchaseHandler) {}

  @RequirePermissions('contacts:write')
  @Post(':id/transactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a purchase or refund: `{ purpose, transactionId?, transaction: { description, amountCents, currency, occurredAt } }`' })
  addTransaction(@Param('id') id: string, @Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<RecordedPurchase> {
    const input = validate(transactionBody, body);
    const purchase = validateTransactionInput(input.transaction);
    return this.handler.execute(id, purchase, input.transactionId, processingContext(auth, request, input.purpose, input.legalBasis));
  }
}
