import { join } from 'node:path';
import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { KEY_VAULT_DATABASE } from '@crm/crypto';
import { createPool } from '@crm/postgres';
import { restoreCredentials } from '../restoring/restore-credentials.js';
import { vaultBackupSettings } from '../vault/vault-backup.js';
import { PgBackRest, type PgBackRestSettings } from './pgbackrest.cli.js';
import { SnapshotRuns } from './snapshot-runs.store.js';
import { SNAPSHOT_SCHEDULE_SETTINGS, SnapshotJobs, type SnapshotScheduleSettings } from './take-snapshot/snapshot.jobs.js';
import { SnapshotsController } from './take-snapshot/snapshots.controller.js';
import { PGBACKREST, SnapshotRunner, VAULT_BACKUP, type VaultBackupTarget } from './take-snapshot/snapshot.runner.js';

/** Where pgBackRest is (infra.env's CRM_PGBACKREST_*, written by deploy/local/postgres.sh), with the same defaults. */
export function pgBackRestSettings(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): PgBackRestSettings {
  const runAs = env.CRM_PGBACKREST_USER ?? (process.getuid?.() === 0 ? 'postgres' : '');
  return {
    config: env.CRM_PGBACKREST_CONFIG ?? join(config.stateDir, 'postgres', 'pgbackrest', 'pgbackrest.conf'),
    stanza: env.CRM_PGBACKREST_STANZA ?? 'crm',
    runAs: runAs === '' ? undefined : runAs,
  };
}

/** Nightly and on-demand snapshots of the databases with pgBackRest, scheduled by BullMQ (docs/backup.md). */
@Module({})
export class SnapshotsModule implements OnApplicationShutdown {
  constructor(@Inject(VAULT_BACKUP) private readonly vault: VaultBackupTarget) {}

  async onApplicationShutdown(): Promise<void> {
    await this.vault.vault.end();
  }

  static register(config: PlatformConfig, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const schedule: SnapshotScheduleSettings = {
      redis: config.redis,
      prefix: env.CRM_BACKUP_JOBS_PREFIX ?? 'crm:backup',
      pattern: env.CRM_BACKUP_SCHEDULE ?? '0 2 * * *',
      timezone: env.CRM_BACKUP_TIMEZONE ?? 'UTC',
    };
    return {
      module: SnapshotsModule,
      controllers: [SnapshotsController],
      providers: [
        { provide: PGBACKREST, useValue: new PgBackRest(pgBackRestSettings(config, env)) },
        { provide: SNAPSHOT_SCHEDULE_SETTINGS, useValue: schedule },
        {
          provide: VAULT_BACKUP,
          // The key vault's database (rows only; the backup never holds a KEK), read with the credentials its drills use:
          // the service's own role (`crm_backup`) reaches no other database.
          useFactory: (): VaultBackupTarget => ({
            vault: createPool({ ...restoreCredentials(config, env), database: KEY_VAULT_DATABASE }, { max: 2, applicationName: 'crm-backup-vault' }),
            settings: vaultBackupSettings(config.stateDir, env.CRM_BACKUP_DIR, env),
          }),
        },
        SnapshotRuns,
        SnapshotRunner,
        SnapshotJobs,
      ],
      exports: [SnapshotRunner, SnapshotJobs, SnapshotRuns, PGBACKREST, VAULT_BACKUP],
    };
  }
}
