import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { DATA_SUBJECT_RIGHTS_PURPOSE, processingContext } from '../processing/processing-context.js';
import { ContactErasure } from './contact-erasure.service.js';

@ApiTags('contacts')
@Controller('v1/contacts')
export class ErasureController {
  constructor(private readonly erasure: ContactErasure) {}

  /** Irreversible, so it needs a fresh second factor as well as the permission. */
  @RequirePermissions('subjects:erase')
  @RequireStepUp()
  @Post(':id/erasure')
  @HttpCode(200)
  @ApiOperation({ summary: 'Erase a contact (Art. 17): its key is destroyed, read models purged; afterwards it answers 410 everywhere' })
  erase(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof contactsApi.eraseContact>> {
    return this.erasure.erase(id, processingContext(auth, request, DATA_SUBJECT_RIGHTS_PURPOSE, 'legal-obligation'));
  }
}
