import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { auditApi, ResponseOf } from '@crm/api-contract';
import { RequireAnyPermission, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { auditError } from '../../audit.errors.js';
import { CONTENT_SECURITY_POLICY } from '../../querying/html.js';
import { RegisterService } from '../register.service.js';
import { registerCsv } from './register.csv.js';
import { registerHtml } from './register.html.js';

const exportQuery = z.object({ format: z.string().max(10).default('json') }).strict();

@ApiTags('register')
@Controller('v1/register')
export class RegisterExportController {
  constructor(
    private readonly register: RegisterService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get('export')
  @ApiOperation({ summary: 'The whole register with evidence counts and undeclared purposes: `format=json|csv|html`; needs register:manage or audit:read' })
  async export(@Query() raw: unknown, @Res({ passthrough: true }) response: Response): Promise<ResponseOf<typeof auditApi.registerExport> | string> {
    const { format } = validate(exportQuery, raw);
    if (format !== 'json' && format !== 'csv' && format !== 'html') throw auditError('AUDIT_FORMAT_UNSUPPORTED', 'format must be json, csv or html');
    const report = await this.register.report(this.clock());
    response.setHeader('cache-control', 'no-store');
    switch (format) {
      case 'json':
        return report;
      case 'csv':
        response.setHeader('content-type', 'text/csv; charset=utf-8');
        response.setHeader('content-disposition', 'attachment; filename="processing-register.csv"');
        return registerCsv(report);
      case 'html':
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        return registerHtml(report);
      default: {
        const _exhaustive: never = format;
        return _exhaustive;
      }
    }
  }
}
