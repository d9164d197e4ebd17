import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { contactsApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions, validate } from '@crm/http';
import { processingContext } from '../processing/processing-context.js';
import { decidePurpose, ensureAllowed } from '../processing/purpose-access.decision.js';
import { ContactImport } from './contact-import.service.js';

@ApiTags('contacts')
@Controller('v1/contacts')
export class ImportController {
  constructor(private readonly imports: ContactImport) {}

  @RequirePermissions('contacts:write')
  @Post('import')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Bulk import: `{ purpose, format: csv|jsonl, content }` (CSV header = catalogue paths); validates the file, queues a job and answers 202 with the report to poll (`importId`, `status: queued`, the refused rows)',
  })
  start(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof contactsApi.importContacts>> {
    const input = validate(contactsApi.importContacts.request, body);
    ensureAllowed(decidePurpose(auth.perms, input.purpose), input.purpose);
    return this.imports.start(input.format, input.content, processingContext(auth, request, input.purpose, input.legalBasis));
  }

  @RequirePermissions('contacts:write')
  @Get('imports/:id')
  @ApiOperation({
    summary:
      "An import's state (queued, running, completed, failed), progress (rows processed and imported of the total) and its refused rows (row number, code, field paths; never values)",
  })
  report(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims): Promise<ResponseOf<typeof contactsApi.importReportOf>> {
    return this.imports.report(id, auth.sub);
  }
}
