import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { backupApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { AppError, RequirePermissions } from '@crm/http';
import { SnapshotRuns } from '../snapshot-runs.store.js';
import { SnapshotJobs } from './snapshot.jobs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@ApiTags('backups')
@Controller('v1/backups/snapshots')
export class SnapshotsController {
  constructor(
    private readonly runs: SnapshotRuns,
    private readonly jobs: SnapshotJobs,
  ) {}

  @RequirePermissions('backups:manage')
  @RequireStepUp()
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a snapshot of every database now (`type`: full, diff or auto); needs backups:manage and a fresh second factor' })
  async take(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims): Promise<ResponseOf<typeof backupApi.takeSnapshot>> {
    // No body is the default type; anything but an object with a known type is the route's own stable code.
    const parsed = backupApi.takeSnapshot.request.safeParse(body ?? {});
    if (!parsed.success) throw new AppError('SNAPSHOT_TYPE_INVALID', 'invalid', 'type must be full, diff or auto');
    const id = await this.jobs.enqueue({ type: parsed.data.type, trigger: 'manual', requestedBy: auth.sub });
    return { id, status: 'queued' };
  }

  @RequirePermissions('backups:read')
  @Get(':id')
  @ApiOperation({ summary: 'One snapshot run: queued, running, completed (label, sizes, verified, Kafka offsets) or failed (code)' })
  async one(@Param('id') id: string): Promise<ResponseOf<typeof backupApi.viewSnapshot>> {
    if (UUID.test(id)) {
      const run = await this.runs.byId(id);
      if (run !== undefined) return run;
      if (await this.jobs.isQueued(id)) return { id, status: 'queued' };
    }
    throw new AppError('SNAPSHOT_NOT_FOUND', 'not_found', 'no snapshot run with that id');
  }
}
