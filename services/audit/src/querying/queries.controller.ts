import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { auditApi, ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { CLOCK, type Clock } from '@crm/platform';
import { AuditRuntime } from '../audit.runtime.js';
import { toEntryView } from '../trail/entry.view.js';
import { treeHeadToView } from '../tree-heads/tree-head.codec.js';
import { EntriesQuery, type EntryFilters } from './entries.query.js';
import { CONTENT_SECURITY_POLICY } from './html.js';
import { QueryRecorder } from './query.recorder.js';
import { buildSubjectReport, renderSubjectReportHtml } from './subject-report.js';

// No Postgres text holds a NUL: such a filter matches nothing and is refused rather than failing the query.
const id = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
const entriesQuery = z
  .object({
    subjectId: id.optional(),
    actorId: id.optional(),
    action: id.optional(),
    purpose: id.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(64).optional(),
  })
  .strict();
const reportQuery = z.object({ format: z.enum(['json', 'html']).optional() }).strict();
/** Past this a report is marked truncated; the rest pages through `GET /v1/audit/entries?subjectId=`. */
const REPORT_MAX_ENTRIES = 10_000;
const FILTER_NAMES = ['subjectId', 'actorId', 'action', 'purpose', 'from', 'to'] as const;

@ApiTags('audit')
@Controller('v1/audit')
export class QueriesController {
  constructor(
    private readonly query: EntriesQuery,
    private readonly recorder: QueryRecorder,
    private readonly runtime: AuditRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @RequirePermissions('audit:read')
  @Get('entries')
  @ApiOperation({ summary: 'Audit entries by subject, actor, action, purpose and time range (occurred_at, [from, to)), in log order, keyset-paged' })
  async entries(@Query() raw: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof auditApi.listEntries>> {
    const { limit, cursor, from, to, ...ids } = validate(entriesQuery, raw);
    const filters: EntryFilters = { ...ids, ...(from === undefined ? {} : { from: new Date(from) }), ...(to === undefined ? {} : { to: new Date(to) }) };
    const page = await this.query.page(filters, limit, cursor);
    await this.recorder.record({
      actorId: auth.sub,
      correlationId: correlationId(request),
      query: 'entries',
      filters: FILTER_NAMES.filter((name) => filters[name] !== undefined),
      subjectId: filters.subjectId,
      resultCount: page.entries.length,
    });
    return { entries: page.entries.map(toEntryView), nextCursor: page.nextCursor };
  }

  @RequirePermissions('audit:read')
  @Get('subjects/:id/report')
  @ApiOperation({
    summary: "Everything that happened to one data subject's data, in order: JSON, or a printable HTML page (`?format=html` or Accept: text/html)",
  })
  async report(
    @Param('id') subject: string,
    @Query() raw: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ResponseOf<typeof auditApi.subjectReport> | string> {
    const subjectId = validate(id, subject);
    const { format } = validate(reportQuery, raw);
    const { entries, truncated } = await this.query.subjectHistory(subjectId, REPORT_MAX_ENTRIES);
    const latest = this.runtime.publisher.latest;
    const report = buildSubjectReport(subjectId, entries, truncated, latest === undefined ? null : treeHeadToView(latest), this.clock());
    await this.recorder.record({
      actorId: auth.sub,
      correlationId: correlationId(request),
      query: 'subject-report',
      filters: ['subjectId'],
      subjectId,
      resultCount: entries.length,
    });
    const html = format === 'html' || (format === undefined && prefersHtml(accept));
    if (!html) return report;
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    response.setHeader('cache-control', 'no-store');
    return renderSubjectReportHtml(report);
  }
}

function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}
