import { Get, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { ContactsRoute, readContext, readFields } from '../contact.http.js';
import { SearchContactsHandler } from './search-contacts.handler.js';

const searchQuery = z
  .object({
    ...readFields,
    email: z.string().min(1).max(320).optional(),
    phone: z.string().min(1).max(40).optional(),
    name: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    after: z.uuid().optional(),
  })
  .strict();

@ContactsRoute()
export class SearchContactsRoute {
  constructor(private readonly handler: SearchContactsHandler) {}

  @RequirePermissions('contacts:read')
  @Get()
  @ApiOperation({
    summary:
      'Find contacts by exact e-mail, phone or name tokens (all must match), or list them; paged by `after`; contacts without the lawful basis for the purpose (consent, objection) are left out',
  })
  search(@Query() query: unknown, @CurrentCaller() caller: Caller): Promise<ResponseOf<typeof contactsApi.searchContacts>> {
    const { purpose, legalBasis, ...search } = validate(searchQuery, query);
    return this.handler.execute(search, readContext(caller, purpose, legalBasis));
  }
}
