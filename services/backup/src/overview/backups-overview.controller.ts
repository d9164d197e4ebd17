import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { backupApi, ResponseOf } from '@crm/api-contract';
import { RequirePermissions } from '@crm/http';
import { DrillRuns } from '../drills/drill-runs.store.js';
import { MirrorStatusService } from '../mirror/mirror-status.service.js';
import { SnapshotRuns } from '../snapshots/snapshot-runs.store.js';
import { VAULT_BACKUP, type VaultBackupTarget } from '../snapshots/take-snapshot/snapshot.runner.js';
import { listVaultBackups } from '../vault/vault-backup.js';

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
  async list(): Promise<ResponseOf<typeof backupApi.backupsOverview>> {
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
