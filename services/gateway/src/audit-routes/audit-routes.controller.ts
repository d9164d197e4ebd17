import { Controller, Get, Inject, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public, RequireAnyPermission, RequirePermissions } from '@crm/http';
import { forward } from '../downstream/forward.js';

export const AUDIT_URL = Symbol('AUDIT_URL');

/**
 * The audit service's API: the DPO's trail (tree heads, proofs, queries, subject reports) and the Art. 30 register.
 * Guards mirror the service's; the service checks again (defence in depth).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class AuditRoutesController {
  constructor(@Inject(AUDIT_URL) private readonly audit: string) {}

  @RequirePermissions('audit:read')
  @Get('v1/audit/tree-head')
  @ApiOperation({ summary: 'The latest signed tree head of the audit log (RFC 6962, Ed25519)' })
  treeHead(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('audit:read')
  @Post('v1/audit/tree-head')
  @ApiOperation({ summary: 'Sign a tree head over everything recorded so far' })
  signTreeHead(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @Public()
  @Get('v1/audit/public-key')
  @ApiOperation({ summary: 'The Ed25519 key that signs tree heads, and the log id (pin it out of band)' })
  publicKey(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('audit:read')
  @Get('v1/audit/entries')
  @ApiOperation({ summary: 'Audit entries by subjectId, actorId, action, purpose, from, to; keyset-paged (cursor)' })
  entries(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('audit:read')
  @Get('v1/audit/entries/:id/proof')
  @ApiOperation({ summary: 'Inclusion proof of an entry against `treeSize` or the latest signed head' })
  inclusion(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('audit:read')
  @Get('v1/audit/consistency')
  @ApiOperation({ summary: 'Consistency proof between tree sizes `from` and `to`' })
  consistency(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('audit:read')
  @Get('v1/audit/subjects/:id/report')
  @ApiOperation({ summary: "Everything that happened to a data subject's data: JSON, or HTML with `?format=html` / Accept: text/html" })
  subjectReport(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/register/activities')
  @ApiOperation({ summary: 'Processing activities with evidence (register:manage or audit:read)' })
  activities(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/register/activities/:id')
  @ApiOperation({ summary: 'One processing activity with evidence (register:manage or audit:read)' })
  activity(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/register/activities/:id/versions')
  @ApiOperation({ summary: 'Every version of a processing activity (register:manage or audit:read)' })
  activityVersions(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('register:manage')
  @Post('v1/register/activities')
  @ApiOperation({ summary: 'Declare a processing activity' })
  declareActivity(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('register:manage')
  @Put('v1/register/activities/:id')
  @ApiOperation({ summary: 'Revise a processing activity (`expectedVersion`; 409 when stale)' })
  reviseActivity(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/register/export')
  @ApiOperation({ summary: 'The register with evidence and undeclared purposes, `format=json|csv|html` (register:manage or audit:read)' })
  export(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/processors')
  @ApiOperation({ summary: 'Processors and sub-processors (register:manage or audit:read)' })
  processors(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('v1/processors/:id')
  @ApiOperation({ summary: 'One processor (register:manage or audit:read)' })
  processor(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('register:manage')
  @Post('v1/processors')
  @ApiOperation({ summary: 'Add a processor or sub-processor' })
  createProcessor(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }

  @RequirePermissions('register:manage')
  @Put('v1/processors/:id')
  @ApiOperation({ summary: 'Revise a processor (`expectedVersion`; 409 when stale)' })
  reviseProcessor(@Req() request: Request, @Res() response: Response): Promise<void> {
    return forward(this.audit, request, response);
  }
}
