import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { ScheduledJobs, type ScheduleSettings } from '@crm/platform';
import { SnapshotRunner, type SnapshotRequest } from './snapshot.runner.js';

/** The nightly snapshot's schedule (`CRM_BACKUP_SCHEDULE`, default every night at 02:00; `CRM_BACKUP_TIMEZONE`). */
export type SnapshotScheduleSettings = ScheduleSettings;
export const SNAPSHOT_SCHEDULE_SETTINGS = Symbol('SNAPSHOT_SCHEDULE_SETTINGS');

export const SNAPSHOT_QUEUE = 'backup-snapshots';
export const NIGHTLY_SCHEDULER = 'nightly-snapshot';

/**
 * Snapshots as BullMQ jobs on the platform's Redis: the nightly one (`auto`: full weekly, differential otherwise),
 * and operators' on demand, one at a time (pgBackRest allows a single backup per stanza anyway).
 */
@Injectable()
export class SnapshotJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #jobs: ScheduledJobs<Omit<SnapshotRequest, 'id'>>;

  constructor(@Inject(SNAPSHOT_SCHEDULE_SETTINGS) settings: SnapshotScheduleSettings, runner: SnapshotRunner) {
    this.#jobs = new ScheduledJobs<Omit<SnapshotRequest, 'id'>>(settings, {
      queue: SNAPSHOT_QUEUE,
      scheduler: NIGHTLY_SCHEDULER,
      job: 'snapshot',
      scheduled: { type: 'auto', trigger: 'schedule', requestedBy: null },
      run: (data, id) => runner.take({ ...data, id }),
      // A backup of a large cluster takes long: the lock is renewed, and the job is not handed to another worker.
      lockDurationMs: 120_000,
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.#jobs.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.#jobs.stop();
  }

  get queue(): Queue<Omit<SnapshotRequest, 'id'>, unknown, string, Omit<SnapshotRequest, 'id'>, unknown, string> {
    return this.#jobs.queue;
  }

  /** Queues a snapshot now; its id is the run's id. */
  enqueue(request: Omit<SnapshotRequest, 'id'>): Promise<string> {
    return this.#jobs.enqueue(request);
  }

  isQueued(id: string): Promise<boolean> {
    return this.#jobs.isQueued(id);
  }
}
