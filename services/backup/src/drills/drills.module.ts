import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { KAFKA_BACKUP, type KafkaCluster } from '@crm/messaging';
import { auditVerifierPath } from '../restoring/audit.check.js';
import { RestoreRunner } from '../restoring/restore.runner.js';
import { postgresBin } from '../restoring/scratch-cluster.js';
import type { PgBackRest } from '../snapshots/pgbackrest.cli.js';
import { pgBackRestSettings } from '../snapshots/snapshots.module.js';
import { PGBACKREST } from '../snapshots/take-snapshot/snapshot.runner.js';
import { DrillRuns } from './drill-runs.store.js';
import { DRILL_SCHEDULE_SETTINGS, DrillJobs } from './run-drill/drill.jobs.js';
import { BackupEventsModule } from '../events/backup-events.js';
import { DRILL_SETTINGS, DrillRunner, RESTORE_RUNNER, type DrillSettings } from './run-drill/drill.runner.js';
import { DrillsController } from './view-drills/drills.controller.js';
import { restoreCredentials } from '../restoring/restore-credentials.js';

/** Weekly and on-demand restore drills (docs/backup.md). */
@Module({})
export class DrillsModule {
  static register(config: PlatformConfig, env: NodeJS.ProcessEnv, snapshots: DynamicModule): DynamicModule {
    const settings: DrillSettings = { live: restoreCredentials(config, env) };
    return {
      module: DrillsModule,
      imports: [snapshots, BackupEventsModule],
      controllers: [DrillsController],
      providers: [
        { provide: DRILL_SETTINGS, useValue: settings },
        {
          provide: DRILL_SCHEDULE_SETTINGS,
          useValue: {
            redis: config.redis,
            prefix: env.CRM_BACKUP_JOBS_PREFIX ?? 'crm:backup',
            pattern: env.CRM_BACKUP_DRILL_SCHEDULE ?? '0 3 * * 0',
            timezone: env.CRM_BACKUP_TIMEZONE ?? 'UTC',
          },
        },
        {
          provide: RESTORE_RUNNER,
          inject: [PGBACKREST, KAFKA_BACKUP],
          useFactory: (pgbackrest: PgBackRest, backup: KafkaCluster) =>
            new RestoreRunner({
              pgbackrest,
              tools: { pgBin: postgresBin(env), runAs: pgBackRestSettings(config, env).runAs },
              stateDir: config.stateDir,
              live: restoreCredentials(config, env),
              backup,
              auditVerifier: auditVerifierPath(env),
              env,
            }),
        },
        DrillRuns,
        DrillRunner,
        DrillJobs,
      ],
      exports: [DrillRuns, DrillJobs],
    };
  }
}
