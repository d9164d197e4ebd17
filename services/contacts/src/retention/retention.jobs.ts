import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduledJobs, type ScheduleSettings } from '@crm/platform';
import { RetentionSweep } from './retention.sweep.js';

export const RETENTION_JOB_SETTINGS = Symbol('RETENTION_JOB_SETTINGS');
export const RETENTION_QUEUE = 'contacts-retention';
export const RETENTION_SCHEDULER = 'daily-retention-sweep';

/**
 * The retention sweep on BullMQ: a repeatable job (`CRM_RETENTION_SCHEDULE`, daily at 02:00 UTC by default) and
 * on-demand runs a DPO queues. A process that dies mid-run leaves its run `running`: BullMQ hands the stalled job to
 * another worker, and that run (or the next scheduled one) resumes it once its lease has lapsed.
 */
@Injectable()
export class RetentionJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #jobs: ScheduledJobs<Record<string, never>>;

  constructor(
    @Inject(RETENTION_JOB_SETTINGS) settings: ScheduleSettings,
    private readonly sweep: RetentionSweep,
  ) {
    this.#jobs = new ScheduledJobs<Record<string, never>>(settings, {
      queue: RETENTION_QUEUE,
      scheduler: RETENTION_SCHEDULER,
      job: 'retention-sweep',
      scheduled: {},
      run: (_data, id) => this.sweep.run(id),
      lockDurationMs: 300_000,
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.#jobs.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.#jobs.stop();
  }

  /** Queues a sweep now, refused with RETENTION_SWEEP_RUNNING while one runs; the id is the run's. */
  async enqueue(): Promise<string> {
    await this.sweep.assertIdle();
    return this.#jobs.enqueue({});
  }
}
