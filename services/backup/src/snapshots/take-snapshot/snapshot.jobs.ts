import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisSettings } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';
import { SnapshotRunner, type SnapshotRequest } from './snapshot.runner.js';

export interface SnapshotScheduleSettings {
  redis: RedisSettings;
  /** BullMQ's key prefix on the platform's Redis. */
  prefix: string;
  /** Cron pattern of the nightly snapshot (`CRM_BACKUP_SCHEDULE`, default every night at 02:00). */
  pattern: string;
  /** Time zone of the pattern (`CRM_BACKUP_TIMEZONE`, default UTC). */
  timezone: string;
}
export const SNAPSHOT_SCHEDULE_SETTINGS = Symbol('SNAPSHOT_SCHEDULE_SETTINGS');

export const SNAPSHOT_QUEUE = 'backup-snapshots';
export const NIGHTLY_SCHEDULER = 'nightly-snapshot';
const SNAPSHOT_JOB = 'snapshot';

/**
 * Snapshots as BullMQ jobs on the platform's Redis: a job scheduler produces the nightly one (`auto`: full weekly,
 * differential otherwise), operators queue one on demand, and one worker runs them one at a time (pgBackRest allows
 * a single backup per stanza anyway). The scheduler is upserted at every start, so replicas share one schedule.
 */
@Injectable()
export class SnapshotJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('SnapshotJobs');
  #queue: Queue<SnapshotRequest> | undefined;
  #worker: Worker<SnapshotRequest> | undefined;

  constructor(
    @Inject(SNAPSHOT_SCHEDULE_SETTINGS) private readonly settings: SnapshotScheduleSettings,
    private readonly runner: SnapshotRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { redis, prefix, pattern, timezone } = this.settings;
    const connection: ConnectionOptions = { host: redis.host, port: redis.port, password: redis.password.reveal(), connectionName: 'backup-snapshots' };
    this.#queue = new Queue<SnapshotRequest>(SNAPSHOT_QUEUE, { connection, prefix });
    this.#worker = new Worker<SnapshotRequest>(SNAPSHOT_QUEUE, (job: Job<SnapshotRequest>) => this.runner.take({ ...job.data, id: job.id }), {
      connection,
      prefix,
      concurrency: 1,
      // A backup of a large cluster takes long: the lock is renewed, and a stalled job is not handed to another worker
      // while pgBackRest still runs it.
      lockDuration: 120_000,
    });
    // The runner records and logs a failure itself; these keep a Redis outage from becoming an unhandled 'error'.
    this.#worker.on('error', (error) => this.#logger.warn(`the snapshot worker: ${error.name}`));
    this.#queue.on('error', (error) => this.#logger.warn(`the snapshot queue: ${error.name}`));
    await this.#queue.upsertJobScheduler(
      NIGHTLY_SCHEDULER,
      { pattern, tz: timezone },
      { name: SNAPSHOT_JOB, data: { type: 'auto', trigger: 'schedule', requestedBy: null }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }

  get queue(): Queue<SnapshotRequest> {
    if (this.#queue === undefined) throw new Error('the snapshot jobs are not started');
    return this.#queue;
  }

  /** Queues a snapshot now; its id is the run's id. */
  async enqueue(request: Omit<SnapshotRequest, 'id'>): Promise<string> {
    const id = uuidv7();
    await this.queue.add(SNAPSHOT_JOB, request, { jobId: id, removeOnComplete: 100, removeOnFail: 100 });
    return id;
  }

  /** Whether a snapshot with this id is queued (waiting for the worker, or picked up and not yet recorded). */
  async isQueued(id: string): Promise<boolean> {
    return (await this.queue.getJob(id)) !== undefined;
  }
}
