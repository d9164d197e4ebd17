import { Controller, Delete, Get, Inject, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireStepUp } from '@crm/auth';
import { RequirePermissions } from '@crm/http';
import { forward } from '../downstream/forward.js';

export const CONTACTS_URL = Symbol('CONTACTS_URL');

/**
 * The contacts API as frontends see it; guards stated at the edge, checked again by the contacts service. Every
 * request names its processing purpose (`purpose` in the body, or `?purpose=` on reads).
 */
@ApiTags('contacts')
@ApiBearerAuth()
@Controller('v1/contacts')
export class ContactsRoutesController {
  constructor(@Inject(CONTACTS_URL) private readonly contacts: string) {}

  @RequirePermissions('contacts:export')
  @RequireStepUp()
  @Post('export')
  @ApiOperation({ summary: 'Export a selection: `{ purpose, format: json|csv, contactIds? }`; needs contacts:export and a fresh second factor' })
  export(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Post('import')
  @ApiOperation({ summary: 'Bulk import: `{ purpose, format: csv|jsonl, content }` → 202 with the import report' })
  import(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Get('imports/:id')
  @ApiOperation({ summary: "An import's progress and refused rows" })
  importReport(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Post()
  @ApiOperation({ summary: 'Create a contact: `{ purpose, legalBasis?, data }`' })
  create(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:read')
  @Get()
  @ApiOperation({ summary: 'Search by exact `email`, `phone`, `name` tokens, or list; `?purpose=` required; paged by `after`' })
  search(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:read')
  @Get(':id')
  @ApiOperation({ summary: 'One contact minimised to `?purpose=`; ETag = version' })
  one(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:read')
  @Get(':id/transactions')
  @ApiOperation({ summary: "A contact's purchases, newest first, minimised to `?purpose=`; paged by `before`" })
  transactions(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Patch(':id')
  @ApiOperation({ summary: 'Rectify: `{ purpose, changes }`; If-Match for optimistic concurrency (409 on conflict)' })
  rectify(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Post(':id/transactions')
  @ApiOperation({ summary: 'Record a transaction' })
  addTransaction(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Post(':id/restriction')
  @ApiOperation({ summary: 'Restrict processing (Art. 18): `{ reason }`' })
  restrict(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('contacts:write')
  @Delete(':id/restriction')
  @ApiOperation({ summary: 'Lift a restriction' })
  lift(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }

  @RequirePermissions('subjects:erase')
  @RequireStepUp()
  @Post(':id/erasure')
  @ApiOperation({ summary: 'Erase a contact (Art. 17) by destroying its key; needs subjects:erase and a fresh second factor' })
  erase(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.contacts, request, response);
  }
}
