import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequireAnyPermission, RequirePermissions, validate } from '@crm/http';
import type { ActivityView } from '../export/register.report.js';
import { RegisterService } from '../register.service.js';
import type { RegisterRecord } from '../versioned.register.js';
import { activityDocument, activityUpdate, type ActivityDocument } from './activity.document.js';

const activityId = z.uuid();
const approvalBody = z.object({ expectedVersion: z.number().int().min(1) }).strict();

@ApiTags('register')
@Controller('v1/register/activities')
export class ActivitiesController {
  constructor(private readonly register: RegisterService) {}

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get()
  @ApiOperation({ summary: 'The processing activities (current versions) with evidence from the audit trail; needs register:manage or audit:read' })
  list(): Promise<ActivityView[]> {
    return this.register.activities();
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get(':id')
  @ApiOperation({ summary: 'One processing activity (current version) with its evidence; needs register:manage or audit:read' })
  one(@Param('id') id: string): Promise<ActivityView> {
    return this.register.activity(validate(activityId, id));
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get(':id/versions')
  @ApiOperation({ summary: 'Every version of a processing activity, oldest first; needs register:manage or audit:read' })
  versions(@Param('id') id: string): Promise<Array<RegisterRecord<ActivityDocument>>> {
    return this.register.activityVersions(validate(activityId, id));
  }

  @RequirePermissions('register:manage')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Declare a processing activity (version 1)' })
  declare(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ActivityView> {
    return this.register.declareActivity(validate(activityDocument, body), { actorId: auth.sub, correlationId: correlationId(request) });
  }

  @RequirePermissions('register:manage')
  @Post(':id/approval')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Approve the platform's draft activity as it stands: `{ expectedVersion }` (the version reviewed; stale is 409 AUDIT_REGISTER_VERSION_CONFLICT, not a draft 409 AUDIT_REGISTER_ALREADY_APPROVED); a new, approved version",
  })
  approve(@Param('id') id: string, @Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ActivityView> {
    const { expectedVersion } = validate(approvalBody, body);
    return this.register.approveActivity(validate(activityId, id), expectedVersion, { actorId: auth.sub, correlationId: correlationId(request) });
  }

  @RequirePermissions('register:manage')
  @Put(':id')
  @ApiOperation({ summary: 'Revise a processing activity: the whole declaration plus `expectedVersion`; a stale version is 409' })
  revise(@Param('id') id: string, @Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ActivityView> {
    const { expectedVersion, ...document } = validate(activityUpdate, body);
    return this.register.reviseActivity(validate(activityId, id), expectedVersion, document, { actorId: auth.sub, correlationId: correlationId(request) });
  }
}
