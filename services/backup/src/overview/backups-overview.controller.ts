import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '@crm/http';
import { DrillRuns, type DrillRunView } from '../drills/drill-runs.store.js';
import { MirrorStatusService } from '../mirror/mirror-status.service.js';
import { SnapshotRuns, type SnapshotRunView } from '../snapshots/snapshot-runs.store.js';
import { VAULT_BACKUP, type VaultBackupTarget } from '../snapshots/take-snapshot/snapshot.runner.js';
import type { VaultBackupHeader } from '../vault/vault-backup.codec.js';
import { listVaultBackups } from '../vault/vault-backup.js';

export interface BackupsView {
  /** The newest snapshot runs first (running, completed and failed). */
  snapshots: SnapshotRunView[];
  mirror: { engine: string; totalLag: string; lastProgressAt: string | null; missingOnBackup: string[] };
  /** The newest restore drills first. */
  drills: DrillRunView[];
  /** The key vault's own backups, newest first: their clear headers (ids, times, counts, the erasures they predate). */
  vaultBackups: VaultBackupHeader[];
}

/** What operators and DPOs look at: the snapshots, how far the mirror is, and the latest restore drills. */
@ApiTags('backups')
@Controller('v1/backups')
export class BackupsOverviewController {
  constructor(
    private readonly snapshots: SnapshotRuns,
    private readonly drills: DrillRuns,
    private readonly mirror: MirrorStatusService,
    @Inject(VAULT_BACKUP) private readonly vault: VaultBackupTarget,
  ) {}

  @RequirePermissions('backups:read')
  @Get()
  @ApiOperation({
    summary: "Snapshots (newest first), the mirror lag, the latest restore drills and the key vault's own backups, for operators and DPOs",
  })
  async list(): Promise<BackupsView> {
    const [snapshots, mirror, drills, vaultBackups] = await Promise.all([
      this.snapshots.latest(50),
      this.mirror.status(),
      this.drills.latest(10),
      listVaultBackups(this.vault.settings),
    ]);
    const { engine, totalLag, lastProgressAt, missingOnBackup } = mirror;
    return { snapshots, mirror: { engine, totalLag, lastProgressAt, missingOnBackup }, drills, vaultBackups: vaultBackups.reverse() };
  }
}
