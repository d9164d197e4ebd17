import { Controller, Get, HttpCode, Inject, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@crm/http';
import { runChecks, type HealthCheck, type ReadinessReport } from './health-check.js';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/** `{ status }`, and each check's own answer where the service shows details (internal services only). */
const STATUS_BODY = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['up', 'down'] }, checks: { type: 'object' } },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  readonly #logger = new Logger('Health');

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(HEALTH_OPTIONS) private readonly options: { details: 'shown' | 'hidden' },
  ) {}

  /** Liveness: the process serves requests. Deliberately checks no dependency, so a database outage never restarts us. */
  @Public()
  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiResponse({ status: 200, description: 'Up', content: { 'application/json': { schema: STATUS_BODY } } })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  /** Readiness: every dependency answers; 503 with the failing ones otherwise. */
  @Public()
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every dependency (Postgres, Kafka, Redis, …) answers' })
  @ApiResponse({ status: 200, description: 'Every dependency answers', content: { 'application/json': { schema: STATUS_BODY } } })
  @ApiResponse({ status: 503, description: 'A dependency does not answer', content: { 'application/json': { schema: STATUS_BODY } } })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport | Pick<ReadinessReport, 'status'>> {
    const report = await runChecks(this.checks);
    response.status(report.status === 'up' ? 200 : 503);
    if (this.options.details === 'shown') return report;
    if (report.status === 'down') {
      const failing = Object.entries(report.checks).flatMap(([name, check]) => (check.status === 'up' ? [] : [name]));
      this.#logger.warn(`not ready: ${failing.join(', ')}`);
    }
    return { status: report.status };
  }
}
