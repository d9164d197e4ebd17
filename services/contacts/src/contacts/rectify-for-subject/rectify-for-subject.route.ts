import { Body, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCaller, RequireStepUp, type Caller } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { validateContactPatch } from '../../contact-schema/index.js';
import { CONTACTS_CONFIG, type ContactsConfig } from '../../contacts.config.js';
import { ContactCommands } from '../contact-commands.service.js';
import { ContactsRoute, subjectRightsContext } from '../contact.http.js';

const rectificationBody = z.object({ changes: z.unknown(), expectedVersion: z.number().int().positive().optional() }).strict();

export interface SubjectRectification {
  id: string;
  version: number;
}

/**
 * Rectification at the person's own request (Art. 16), for the request desk: the same change as `PATCH
 * /v1/contacts/{id}` (same validation, same event), processed for `data-subject-rights` on legal obligation rather
 * than for a business purpose, and answered with the new version only (nothing disclosed). Not behind the gateway
 * (tests/architecture lists it as internal): consent calls it with the DPO's token when completing a rectification
 * request, so it needs `requests:manage` and a fresh second factor.
 */
@ContactsRoute()
export class RectifyForSubjectRoute {
  constructor(
    private readonly commands: ContactCommands,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {}

  @RequirePermissions('requests:manage')
  @RequireStepUp()
  @Post(':id/subject-rectification')
  @HttpCode(200)
  @ApiOperation({ summary: "Rectify a contact at the person's request (the request desk's write; requests:manage and a fresh second factor)" })
  async rectify(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<SubjectRectification> {
    const input = validate(rectificationBody, body);
    const patch = validateContactPatch(input.changes, { allowSpecialCategories: this.config.allowSpecialCategories });
    const expected = input.expectedVersion === undefined ? undefined : BigInt(input.expectedVersion);
    const outcome = await this.commands.execute({ type: 'RectifyContact', contactId: id, patch }, subjectRightsContext(caller), expected);
    return { id, version: Number(outcome.version) };
  }
}
