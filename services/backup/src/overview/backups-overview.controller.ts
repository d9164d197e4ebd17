import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '@crm/http';
import { DrillRuns, type DrillRunView } from '../drills/drill-runs.store.js';
import { MirrorStatusService } from '../mirror/mirror-status.service.js';
import { SnapshotRuns, type SnapshotRunView } from '../snapshots/snapshot-runs.store.js';

export interface BackupsView {
  /** The newest snapshot runs first (running, completed and failed). */
  snapshots: SnapshotRunView[];
  mirror: { engine: string; totalLag: string; lastProgressAt: string | null; missingOnBackup: string[] };
  /** The newest restore drills first. */
  drills: DrillRunView[];
}

/** What operators and DPOs look at: the snapshots, how far the mirror is, and the latest restore drills. */
@ApiTags('backups')
@Controller('v1/backups')
export class BackupsOverviewController {
  constructor(
    private readonly snapshots: SnapshotRuns,
    private readonly drills: DrillRuns,
    private readonly mirror: MirrorStatusService,
  ) {}

  @RequirePermissions('backups:read')
  @Get()
  @ApiOperation({ summary: 'Snapshots (newest first), the mirror lag and the latest restore drills, for operators and DPOs' })
  async list(): Promise<BackupsView> {
    const [snapshots, mirror, drills] = await Promise.all([this.snapshots.latest(50), this.mirror.status(), this.drills.latest(10)]);
    const { engine, totalLag, lastProgressAt, missingOnBackup } = mirror;
    return { snapshots, mirror: { engine, totalLag, lastProgressAt, missingOnBackup }, drills };
  }
}
