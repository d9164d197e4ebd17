import { Body, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { contactsApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { validateContactInput } from '../../contact-schema/index.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../../contacts.config.js';
import { ContactsRoute, purposeContext, withVersionTag } from '../contact.http.js';
import { CreateContactHandler } from './create-contact.handler.js';

@ContactsRoute()
export class CreateContactRoute {
  constructor(
    private readonly handler: CreateContactHandler,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {}

  @RequirePermissions('contacts:write')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a contact: `{ purpose, legalBasis?, data }`; only catalogue fields are accepted' })
  async create(
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof contactsApi.createContact>> {
    const input = validate(contactsApi.createContact.request, body);
    const data = validateContactInput(input.data, { allowSpecialCategories: this.config.allowSpecialCategories });
    return withVersionTag(response, await this.handler.execute(data, purposeContext(caller, input.purpose, input.legalBasis)));
  }
}
