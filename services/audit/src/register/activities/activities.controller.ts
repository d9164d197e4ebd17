import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { auditApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequireAnyPermission, RequirePermissions, validate } from '@crm/http';
import { RegisterService } from '../register.service.js';

const activityId = z.uuid();

@ApiTags('register')
@Controller('v1/register/activities')
export class ActivitiesController {
  constructor(private readonly register: RegisterService) {}

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get()
  @ApiOperation({ summary: 'The processing activities (current versions) with evidence from the audit trail; needs register:manage or audit:read' })
  list(): Promise<ResponseOf<typeof auditApi.listActivities>> {
    return this.register.activities();
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get(':id')
  @ApiOperation({ summary: 'One processing activity (current version) with its evidence; needs register:manage or audit:read' })
  one(@Param('id') id: string): Promise<ResponseOf<typeof auditApi.activity>> {
    return this.register.activity(validate(activityId, id));
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get(':id/versions')
  @ApiOperation({ summary: 'Every version of a processing activity, oldest first; needs register:manage or audit:read' })
  versions(@Param('id') id: string): Promise<ResponseOf<typeof auditApi.activityVersions>> {
    return this.register.activityVersions(validate(activityId, id));
  }

  @RequirePermissions('register:manage')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Declare a processing activity (version 1)' })
  declare(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof auditApi.declareActivity>> {
    return this.register.declareActivity(validate(auditApi.declareActivity.request, body), { actorId: auth.sub, correlationId: correlationId(request) });
  }

  @RequirePermissions('register:manage')
  @Post(':id/approval')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Approve the platform's draft activity as it stands: `{ expectedVersion }` (the version reviewed; stale is 409 AUDIT_REGISTER_VERSION_CONFLICT, not a draft 409 AUDIT_REGISTER_ALREADY_APPROVED); a new, approved version",
  })
  approve(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof auditApi.approveActivity>> {
    const { expectedVersion } = validate(auditApi.approveActivity.request, body);
    return this.register.approveActivity(validate(activityId, id), expectedVersion, { actorId: auth.sub, correlationId: correlationId(request) });
  }

  @RequirePermissions('register:manage')
  @Put(':id')
  @ApiOperation({ summary: 'Revise a processing activity: the whole declaration plus `expectedVersion`; a stale version is 409' })
  revise(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof auditApi.reviseActivity>> {
    const { expectedVersion, ...document } = validate(auditApi.reviseActivity.request, body);
    return this.register.reviseActivity(validate(activityId, id), expectedVersion, document, { actorId: auth.sub, correlationId: correlationId(request) });
  }
}
