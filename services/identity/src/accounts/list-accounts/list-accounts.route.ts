import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { RequirePermissions, validate } from '@crm/http';
import { ListAccountsHandler } from './list-accounts.handler.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), after: z.uuid().optional() }).strict();

@ApiTags('users')
@Controller('v1')
export class ListAccountsRoute {
  constructor(private readonly handler: ListAccountsHandler) {}

  @RequirePermissions('users:manage')
  @Get('users')
  @ApiOperation({ summary: 'List staff accounts (paged by id)' })
  list(@Query() query: unknown): Promise<ResponseOf<typeof identityApi.listAccounts>> {
    const { limit, after } = validate(listQuery, query);
    return this.handler.execute(limit, after);
  }
}
