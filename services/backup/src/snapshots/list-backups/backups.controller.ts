import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { AppError, RequirePermissions } from '@crm/http';
import { MirrorStatusService } from '../../mirror/mirror-status.service.js';
import { SnapshotRuns, type SnapshotRunView } from '../snapshot-runs.store.js';
import type { RequestedSnapshotType } from '../snapshot-type.decision.js';
import { SnapshotJobs } from '../take-snapshot/snapshot.jobs.js';

const TYPES: readonly RequestedSnapshotType[] = ['full', 'diff', 'auto'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface BackupsView {
  /** The newest snapshot runs first (running, completed and failed). */
  snapshots: SnapshotRunView[];
  mirror: { engine: string; totalLag: string; lastProgressAt: string | null; missingOnBackup: string[] };
}

@ApiTags('backups')
@Controller('v1/backups')
export class BackupsController {
  constructor(
    private readonly runs: SnapshotRuns,
    private readonly jobs: SnapshotJobs,
    private readonly mirror: MirrorStatusService,
  ) {}

  @RequirePermissions('backups:read')
  @Get()
  @ApiOperation({ summary: 'Snapshots (newest first) and the mirror lag, for operators and DPOs' })
  async list(): Promise<BackupsView> {
    const [snapshots, mirror] = await Promise.all([this.runs.latest(50), this.mirror.status()]);
    const { engine, totalLag, lastProgressAt, missingOnBackup } = mirror;
    return { snapshots, mirror: { engine, totalLag, lastProgressAt, missingOnBackup } };
  }

  @RequirePermissions('backups:manage')
  @RequireStepUp()
  @Post('snapshots')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a snapshot of every database now (`type`: full, diff or auto); needs backups:manage and a fresh second factor' })
  async take(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims): Promise<{ id: string; status: 'queued' }> {
    const type = (body as { type?: unknown } | undefined)?.type ?? 'auto';
    if (typeof type !== 'string' || !TYPES.includes(type as RequestedSnapshotType)) {
      throw new AppError('SNAPSHOT_TYPE_INVALID', 'invalid', 'type must be full, diff or auto');
    }
    const id = await this.jobs.enqueue({ type: type as RequestedSnapshotType, trigger: 'manual', requestedBy: auth.sub });
    return { id, status: 'queued' };
  }

  @RequirePermissions('backups:read')
  @Get('snapshots/:id')
  @ApiOperation({ summary: 'One snapshot run: queued, running, completed (label, sizes, verified, Kafka offsets) or failed (code)' })
  async one(@Param('id') id: string): Promise<SnapshotRunView | { id: string; status: 'queued' }> {
    if (UUID.test(id)) {
      const run = await this.runs.byId(id);
      if (run !== undefined) return run;
      if (await this.jobs.isQueued(id)) return { id, status: 'queued' };
    }
    throw new AppError('SNAPSHOT_NOT_FOUND', 'not_found', 'no snapshot run with that id');
  }
}
