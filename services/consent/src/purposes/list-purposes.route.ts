import { Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import { RequirePermissions } from '@crm/http';
import { ConsentRoute } from '../consents/consent.http.js';
import { PURPOSE_CATALOGUE_VERSION, PURPOSES } from './purpose.catalogue.js';

@ConsentRoute()
export class ListPurposesRoute {
  @RequirePermissions('consent:read')
  @Get('purposes')
  @ApiOperation({ summary: 'The purpose catalogue: each purpose with its lawful bases and objection rule, and the catalogue version' })
  list(): ResponseOf<typeof consentApi.listPurposes> {
    // Copies: the catalogue's lists are read-only, the answer's are plain arrays.
    return { version: PURPOSE_CATALOGUE_VERSION, purposes: PURPOSES.map((purpose) => ({ ...purpose, lawfulBases: [...purpose.lawfulBases] })) };
  }
}
