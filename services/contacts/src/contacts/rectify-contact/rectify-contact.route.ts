import { Body, Headers, Inject, Param, Patch, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { contactsApi, type ResponseOf } from '@crm/api-contract';
import { CurrentCaller, type Caller } from '@crm/auth';
import { AppError, RequirePermissions, validate } from '@crm/http';
import { validateContactPatch } from '../../contact-schema/index.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../../contacts.config.js';
import { ContactsRoute, purposeContext, withVersionTag } from '../contact.http.js';
import { RectifyContactHandler } from './rectify-contact.handler.js';

/** `If-Match: "7"` (or `7`): the version the client last read; anything else is refused, not ignored. */
function ifMatch(header: string | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?([0-9]{1,18})"?\s*$/.exec(header);
  if (match === null) throw new AppError('IF_MATCH_INVALID', 'invalid', 'If-Match must be the version of the contact, as in its ETag');
  return BigInt(match[1]!);
}

@ContactsRoute()
export class RectifyContactRoute {
  constructor(
    private readonly handler: RectifyContactHandler,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {}

  @RequirePermissions('contacts:write')
  @Patch(':id')
  @ApiOperation({ summary: 'Rectify (Art. 16): `{ purpose, changes }`; a unit set to null is removed; If-Match guards against lost updates' })
  async rectify(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') match: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof contactsApi.rectifyContact>> {
    const input = validate(contactsApi.rectifyContact.request, body);
    const patch = validateContactPatch(input.changes, { allowSpecialCategories: this.config.allowSpecialCategories });
    const context = purposeContext(caller, input.purpose, input.legalBasis);
    return withVersionTag(response, await this.handler.execute(id, patch, context, ifMatch(match)));
  }
}
