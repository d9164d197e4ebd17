import { Module } from '@nestjs/common';
import { MirrorController } from './mirror.controller.js';
import { MirrorProgress } from './mirror-progress.js';
import { MirrorStatusService } from './mirror-status.service.js';

/** The backup cluster's view of the primary. Both clusters come from the platform's KafkaModule (needs.kafka). */
@Module({ controllers: [MirrorController], providers: [MirrorProgress, MirrorStatusService], exports: [MirrorStatusService, MirrorProgress] })
export class MirrorModule {}
