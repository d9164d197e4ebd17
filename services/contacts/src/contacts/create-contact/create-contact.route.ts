import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { validateContactInput } from '../../contact-schema/index.js';
import type { ContactView } from '../../contact-views/contact-views.service.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../../contacts.config.js';
import { processingFields, purposeContext, withVersionTag } from '../contact.http.js';
import { CreateContactHandler } from './create-contact.handler.js';

const createBody = z.object({ ...processingFields, data: z.unknown() }).strict();

@ApiTags('contacts')
@Controller('v1/contacts')
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
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const input = validate(createBody, body);
    const data = validateContactInput(input.data, { allowSpecialCategories: this.config.allowSpecialCategories });
    return withVersionTag(response, await this.handler.execute(data, purposeContext(auth, request, input.purpose, input.legalBasis)));
  }
}
