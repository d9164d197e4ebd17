import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Patch, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { uuidv7 } from '@crm/eventstore';
import { AppError, RequirePermissions, validate } from '@crm/http';
import { validateContactInput, validateContactPatch, validateTransactionInput } from '../contact-schema/index.js';
import { ContactViews, type ContactView, type TransactionPage } from '../contact-views/contact-views.service.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../contacts.config.js';
import { DATA_SUBJECT_RIGHTS_PURPOSE, legalBasisSchema, processingContext, purposeSchema } from '../processing/processing-context.js';
import { ContactCommands } from './contact-commands.service.js';
import { RESTRICTION_REASONS } from './contact.decider.js';

const processing = { purpose: purposeSchema, legalBasis: legalBasisSchema.optional() };
const createBody = z.object({ ...processing, data: z.unknown() }).strict();
const patchBody = z.object({ ...processing, changes: z.unknown() }).strict();
const transactionBody = z.object({ ...processing, transactionId: z.uuid().optional(), transaction: z.unknown() }).strict();
const restrictionBody = z.object({ reason: z.enum(RESTRICTION_REASONS) }).strict();
const viewQuery = z.object({ purpose: purposeSchema }).strict();
const transactionsQuery = z
  .object({ purpose: purposeSchema, limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().min(1).max(200).optional() })
  .strict();
const searchQuery = z
  .object({
    purpose: purposeSchema,
    email: z.string().min(1).max(320).optional(),
    phone: z.string().min(1).max(40).optional(),
    name: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    after: z.uuid().optional(),
  })
  .strict();

/** `If-Match: "7"` (or `7`): the version the client last read; anything else is refused, not ignored. */
function ifMatch(header: string | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?([0-9]{1,18})"?\s*$/.exec(header);
  if (match === null) throw new AppError('IF_MATCH_INVALID', 'invalid', 'If-Match must be the version of the contact, as in its ETag');
  return BigInt(match[1]!);
}

/**
 * The contact as a resource: create, read, rectify, transactions, restriction. Every request names its processing
 * purpose: writes record it on the event, reads are minimised to it (and recorded).
 */
@ApiTags('contacts')
@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly commands: ContactCommands,
    private readonly views: ContactViews,
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
    const context = processingContext(auth, request, input.purpose, input.legalBasis);
    const contactId = uuidv7();
    await this.commands.execute({ type: 'CreateContact', contactId, data }, context);
    return this.#respond(response, await this.views.view(contactId, { ...context, purpose: input.purpose }));
  }

  @RequirePermissions('contacts:read')
  @Get()
  @ApiOperation({ summary: 'Find contacts by exact e-mail, phone or name tokens (all must match), or list them; paged by `after`' })
  search(@Query() query: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request) {
    const { purpose, email, phone, name, limit, after } = validate(searchQuery, query);
    const criteria = {
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
      ...(name === undefined ? {} : { nameTokens: [name] }),
    };
    return this.views.search(criteria, limit, after, { ...processingContext(auth, request, purpose, undefined), purpose });
  }

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
    return this.#respond(response, await this.views.view(id, { ...processingContext(auth, request, purpose, undefined), purpose }));
  }

  @RequirePermissions('contacts:read')
  @Get(':id/transactions')
  @ApiOperation({ summary: "A contact's purchases, newest first, minimised to `?purpose=`; paged by `before`" })
  transactions(@Param('id') id: string, @Query() query: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<TransactionPage> {
    const { purpose, limit, before } = validate(transactionsQuery, query);
    return this.views.transactions(id, limit, before, { ...processingContext(auth, request, purpose, undefined), purpose });
  }

  @RequirePermissions('contacts:write')
  @Patch(':id')
  @ApiOperation({ summary: 'Rectify (Art. 16): `{ purpose, changes }`; a unit set to null is removed; If-Match guards against lost updates' })
  async rectify(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') match: string | undefined,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ContactView> {
    const input = validate(patchBody, body);
    const patch = validateContactPatch(input.changes, { allowSpecialCategories: this.config.allowSpecialCategories });
    const context = processingContext(auth, request, input.purpose, input.legalBasis);
    await this.commands.execute({ type: 'RectifyContact', contactId: id, patch }, context, ifMatch(match));
    return this.#respond(response, await this.views.view(id, { ...context, purpose: input.purpose }));
  }

  @RequirePermissions('contacts:write')
  @Post(':id/transactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a purchase or refund: `{ purpose, transactionId?, transaction: { description, amountCents, currency, occurredAt } }`' })
  async addTransaction(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<{ id: string; version: number }> {
    const input = validate(transactionBody, body);
    const transaction = validateTransactionInput(input.transaction);
    const transactionId = input.transactionId ?? uuidv7();
    const outcome = await this.commands.execute(
      { type: 'AddTransaction', contactId: id, transactionId, ...transaction },
      processingContext(auth, request, input.purpose, input.legalBasis),
    );
    return { id: transactionId, version: Number(outcome.version) };
  }

  @RequirePermissions('contacts:write')
  @Post(':id/restriction')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restrict processing (Art. 18): `{ reason }`; the contact becomes read-only and leaves every export' })
  async restrict(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<{ restricted: boolean; version: number }> {
    const { reason } = validate(restrictionBody, body);
    const outcome = await this.commands.execute(
      { type: 'RestrictProcessing', contactId: id, reason },
      processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation'),
    );
    return { restricted: outcome.state.restricted, version: Number(outcome.version) };
  }

  @RequirePermissions('contacts:write')
  @Delete(':id/restriction')
  @ApiOperation({ summary: 'Lift a restriction of processing' })
  async lift(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<{ restricted: boolean; version: number }> {
    const outcome = await this.commands.execute(
      { type: 'LiftRestriction', contactId: id },
      processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation'),
    );
    return { restricted: outcome.state.restricted, version: Number(outcome.version) };
  }

  #respond(response: Response, view: ContactView): ContactView {
    response.setHeader('etag', `"${view.version}"`);
    return view;
  }
}
