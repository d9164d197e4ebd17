import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { backupApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { AppError, RequirePermissions } from '@crm/http';
import { DrillRuns } from '../drill-runs.store.js';
import { DrillJobs } from '../run-drill/drill.jobs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@ApiTags('backups')
@Controller('v1/backups/drills')
export class DrillsController {
  constructor(
    private readonly runs: DrillRuns,
    private readonly jobs: DrillJobs,
  ) {}

  @RequirePermissions('backups:manage')
  @RequireStepUp()
  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Queue a restore drill now: the latest snapshot restored into scratch and compared with live; needs backups:manage and a fresh second factor',
  })
  async start(@CurrentAuth() auth: AccessTokenClaims): Promise<ResponseOf<typeof backupApi.startDrill>> {
    const id = await this.jobs.enqueue({ trigger: 'manual', requestedBy: auth.sub });
    return { id, status: 'queued' };
  }

  @RequirePermissions('backups:read')
  @Get(':id')
  @ApiOperation({ summary: 'One restore drill: queued, running, passed or failed (the failed checks), with RTO, RPO and what was compared' })
  async one(@Param('id') id: string): Promise<ResponseOf<typeof backupApi.viewDrill>> {
    if (UUID.test(id)) {
      const run = await this.runs.byId(id);
      if (run !== undefined) return run;
      if (await this.jobs.isQueued(id)) return { id, status: 'queued' };
    }
    throw new AppError('DRILL_NOT_FOUND', 'not_found', 'no restore drill with that id');
  }
}
