import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ScheduledJobs, type ScheduleSettings } from '@crm/platform';
import { DrillRunner, type DrillRequest } from './drill.runner.js';

/** The weekly drill's schedule (`CRM_BACKUP_DRILL_SCHEDULE`, default Sundays at 03:00; `CRM_BACKUP_TIMEZONE`). */
export const DRILL_SCHEDULE_SETTINGS = Symbol('DRILL_SCHEDULE_SETTINGS');
export const DRILL_QUEUE = 'backup-drills';
export const WEEKLY_DRILL_SCHEDULER = 'weekly-restore-drill';

type DrillJob = Omit<DrillRequest, 'id'>;

/** Restore drills as BullMQ jobs: the weekly one and operators' on demand, one at a time. */
@Injectable()
export class DrillJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #jobs: ScheduledJobs<DrillJob>;

  constructor(@Inject(DRILL_SCHEDULE_SETTINGS) settings: ScheduleSettings, runner: DrillRunner) {
    this.#jobs = new ScheduledJobs<DrillJob>(settings, {
      queue: DRILL_QUEUE,
      scheduler: WEEKLY_DRILL_SCHEDULER,
      job: 'drill',
      scheduled: { trigger: 'schedule', requestedBy: null },
      run: (data, id) => runner.run({ ...data, id }),
      lockDurationMs: 300_000,
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.#jobs.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.#jobs.stop();
  }

  get queue(): Queue<DrillJob, unknown, string, DrillJob, unknown, string> {
    return this.#jobs.queue;
  }

  enqueue(request: DrillJob): Promise<string> {
    return this.#jobs.enqueue(request);
  }

  isQueued(id: string): Promise<boolean> {
    return this.#jobs.isQueued(id);
  }
}
