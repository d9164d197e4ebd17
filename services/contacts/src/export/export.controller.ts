import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { contactsApi } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { readBasis } from '../lawful-basis/basis.decision.js';
import { processingContext } from '../processing/processing-context.js';
import { decidePurpose, ensureAllowed } from '../processing/purpose-access.decision.js';
import { ContactExport } from './contact-export.service.js';

@ApiTags('contacts')
@Controller('v1/contacts')
export class ExportController {
  constructor(private readonly exports: ContactExport) {}

  @RequirePermissions('contacts:export')
  @RequireStepUp()
  @Post('export')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Export a selection as JSON or CSV, minimised to `purpose`; restricted and erased contacts, and contacts without the lawful basis for the purpose (consent, objection), never appear; rate-limited; needs a fresh second factor',
  })
  async export(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request, @Res() response: Response): Promise<void> {
    const input = validate(contactsApi.exportContacts.request, body);
    ensureAllowed(decidePurpose(auth.perms, input.purpose), input.purpose);
    const file = await this.exports.export(input, processingContext(auth, request, input.purpose, readBasis(input.purpose, input.legalBasis)));
    response
      .status(200)
      .setHeader('content-type', file.contentType)
      .setHeader('content-disposition', `attachment; filename="contacts-${file.exportId}.${input.format}"`)
      .setHeader('cache-control', 'no-store')
      .setHeader('x-export-id', file.exportId)
      .setHeader('x-export-row-count', String(file.rowCount))
      .send(file.body);
  }
}
