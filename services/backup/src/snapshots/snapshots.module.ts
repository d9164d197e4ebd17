import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { PgBackRest, type PgBackRestSettings } from './pgbackrest.cli.js';
import { SnapshotRuns } from './snapshot-runs.store.js';
import { SNAPSHOT_SCHEDULE_SETTINGS, SnapshotJobs, type SnapshotScheduleSettings } from './take-snapshot/snapshot.jobs.js';
import { SnapshotsController } from './take-snapshot/snapshots.controller.js';
import { PGBACKREST, SnapshotRunner } from './take-snapshot/snapshot.runner.js';

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
export class SnapshotsModule {
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
        SnapshotRuns,
        SnapshotRunner,
        SnapshotJobs,
      ],
      exports: [SnapshotRunner, SnapshotJobs, SnapshotRuns, PGBACKREST],
    };
  }
}
