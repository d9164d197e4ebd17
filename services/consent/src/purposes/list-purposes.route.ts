import { Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { RequirePermissions } from '@crm/http';
import { ConsentRoute } from '../consents/consent.http.js';
import { PURPOSE_CATALOGUE_VERSION, PURPOSES, type PurposeSpec } from './purpose.catalogue.js';

export interface PurposeCatalogueView {
  version: number;
  purposes: readonly PurposeSpec[];
}

@ConsentRoute()
export class ListPurposesRoute {
  @RequirePermissions('consent:read')
  @Get('purposes')
  @ApiOperation({ summary: 'The purpose catalogue: each purpose with its lawful bases and objection rule, and the catalogue version' })
  list(): PurposeCatalogueView {
    return { version: PURPOSE_CATALOGUE_VERSION, purposes: PURPOSES };
  }
}
