import { Logger } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisSettings } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';

/** When the scheduled run comes: a cron pattern in a time zone, or a fixed interval. */
export type JobSchedule = { pattern: string; timezone: string } | { everyMs: number };

/** Where and when a kind of job runs: the platform's Redis, BullMQ's key prefix, and the schedule. */
export type ScheduleSettings = JobSchedule & {
  redis: RedisSettings;
  /** BullMQ's key prefix on the platform's Redis. */
  prefix: string;
};

export interface ScheduledJobsSpec<T> {
  queue: string;
  scheduler: string;
  job: string;
  /** The data of the scheduled run. */
  scheduled: T;
  /** Runs one job; its id is the job's id (the run's id when queued on demand). */
  run(data: T, id: string | undefined): Promise<unknown>;
  /** How long a worker holds a job before renewing its lock; long jobs are not handed to another worker meanwhile. */
  lockDurationMs?: number;
}

/**
 * A kind of job on BullMQ, the platform's job queue: a job scheduler for the periodic run (upserted at every start,
 * so replicas share one schedule), on-demand runs queued by id, and one worker per process that runs them one at a
 * time. Runners record and log their own failures; a run that throws, and the queue's and worker's own errors (a
 * Redis outage), are warnings logged by error name only (an error about a person must not carry their data into
 * the log), never unhandled.
 */
export class ScheduledJobs<T> {
  readonly #logger: Logger;
  #queue: Queue<T, unknown, string, T, unknown, string> | undefined;
  #worker: Worker<T, unknown, string> | undefined;

  constructor(
    private readonly settings: ScheduleSettings,
    private readonly spec: ScheduledJobsSpec<T>,
  ) {
    this.#logger = new Logger(`Jobs:${spec.queue}`);
  }

  async start(): Promise<void> {
    const { redis, prefix } = this.settings;
    const connection: ConnectionOptions = { host: redis.host, port: redis.port, password: redis.password.reveal(), connectionName: this.spec.queue };
    this.#queue = new Queue<T, unknown, string, T, unknown, string>(this.spec.queue, { connection, prefix });
    this.#worker = new Worker<T, unknown, string>(this.spec.queue, (job: Job<T, unknown, string>) => this.spec.run(job.data, job.id), {
      connection,
      prefix,
      concurrency: 1,
      ...(this.spec.lockDurationMs === undefined ? {} : { lockDuration: this.spec.lockDurationMs }),
    });
    this.#worker.on('failed', (_job, error) => this.#logger.warn(`a ${this.spec.job} run failed: ${error.name}`));
    this.#worker.on('error', (error) => this.#logger.warn(`the worker: ${error.name}`));
    this.#queue.on('error', (error) => this.#logger.warn(`the queue: ${error.name}`));
    await this.#queue.upsertJobScheduler(
      this.spec.scheduler,
      'everyMs' in this.settings ? { every: this.settings.everyMs } : { pattern: this.settings.pattern, tz: this.settings.timezone },
      { name: this.spec.job, data: this.spec.scheduled, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }

  get queue(): Queue<T, unknown, string, T, unknown, string> {
    if (this.#queue === undefined) throw new Error(`the ${this.spec.queue} jobs are not started`);
    return this.#queue;
  }

  /** Queues a run now; its id is the run's id. */
  async enqueue(data: T): Promise<string> {
    const id = uuidv7();
    await this.queue.add(this.spec.job, data, { jobId: id, removeOnComplete: 100, removeOnFail: 100 });
    return id;
  }

  /** Whether a run with this id is queued (waiting for the worker, or picked up and not yet recorded). */
  async isQueued(id: string): Promise<boolean> {
    return (await this.queue.getJob(id)) !== undefined;
  }
}
