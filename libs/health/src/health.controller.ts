import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@crm/http';
import { runChecks, type HealthCheck, type ReadinessReport } from './health-check.js';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  /** Liveness: the process serves requests. Deliberately checks no dependency, so a database outage never restarts us. */
  @Public()
  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  /** Readiness: every dependency answers; 503 with the failing ones otherwise. */
  @Public()
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every dependency (Postgres, Kafka, Redis, …) answers' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await runChecks(this.checks);
    response.status(report.status === 'up' ? 200 : 503);
    return report;
  }
}
