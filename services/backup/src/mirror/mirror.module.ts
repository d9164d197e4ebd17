import { Module } from '@nestjs/common';
import { BackupEventsModule } from '../events/backup-events.js';
import { MirrorController } from './mirror.controller.js';
import { MirrorProgress } from './mirror-progress.js';
import { MirrorStatusService } from './mirror-status.service.js';
import { MIRROR_SUPERVISION, MirrorSupervisor, type MirrorSupervisionSettings } from './mirror.supervisor.js';

const supervision: MirrorSupervisionSettings = {
  checkEveryMs: 15_000,
  stallAfterMs: Number(process.env.CRM_BACKUP_MIRROR_STALL_SECONDS ?? 120) * 1000,
};

/** The backup cluster's view of the primary. Both clusters come from the platform's KafkaModule (needs.kafka). */
@Module({
  imports: [BackupEventsModule],
  controllers: [MirrorController],
  providers: [MirrorProgress, MirrorStatusService, MirrorSupervisor, { provide: MIRROR_SUPERVISION, useValue: supervision }],
  exports: [MirrorStatusService, MirrorProgress, MirrorSupervisor],
})
export class MirrorModule {}
