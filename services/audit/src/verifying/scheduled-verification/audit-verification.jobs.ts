import { Logger } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { RedisSettings } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';
import type { AuditVerificationRunner } from './audit-verification.runner.js';

export const VERIFICATION_QUEUE = 'audit-verifications';
export const DAILY_VERIFICATION_SCHEDULER = 'daily-audit-verification';

export interface VerificationScheduleSettings {
  redis: RedisSettings;
  /** BullMQ's key prefix on the platform's Redis (`CRM_AUDIT_JOBS_PREFIX`, default `crm:audit`). */
  prefix: string;
  /** Cron pattern (`CRM_AUDIT_VERIFY_SCHEDULE`, default daily at 04:30). */
  pattern: string;
  timezone: string;
}

interface VerificationJob {
  trigger: 'schedule' | 'on-demand';
}

/**
 * The audit trail's verification as BullMQ jobs, like the backup service's snapshots and drills: a job scheduler
 * for the daily run (upserted at every start, so replicas share one schedule) and one worker running them one at a
 * time. The runner raises the alarm itself; the queue's and worker's own errors (a Redis outage) are warnings.
 */
export class AuditVerificationJobs {
  readonly #logger = new Logger('Jobs:audit-verifications');
  #queue: Queue<VerificationJob, unknown, string> | undefined;
  #worker: Worker<VerificationJob, unknown, string> | undefined;

  constructor(
    private readonly settings: VerificationScheduleSettings,
    private readonly runner: AuditVerificationRunner,
  ) {}

  async start(): Promise<void> {
    const { redis, prefix, pattern, timezone } = this.settings;
    const connection: ConnectionOptions = { host: redis.host, port: redis.port, password: redis.password.reveal(), connectionName: VERIFICATION_QUEUE };
    this.#queue = new Queue<VerificationJob, unknown, string>(VERIFICATION_QUEUE, { connection, prefix });
    this.#worker = new Worker<VerificationJob, unknown, string>(VERIFICATION_QUEUE, (job) => this.runner.run(job.id ?? uuidv7(), job.data.trigger), {
      connection,
      prefix,
      concurrency: 1,
      lockDuration: 600_000,
    });
    this.#worker.on('error', (error) => this.#logger.warn(`the worker: ${error.name}`));
    this.#queue.on('error', (error) => this.#logger.warn(`the queue: ${error.name}`));
    await this.#queue.upsertJobScheduler(
      DAILY_VERIFICATION_SCHEDULER,
      { pattern, tz: timezone },
      { name: 'verify', data: { trigger: 'schedule' }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }

  /** Queues a verification now (an operator's, or a test's); answers its id. */
  async enqueue(): Promise<string> {
    if (this.#queue === undefined) throw new Error('the audit verification jobs are not started');
    const id = uuidv7();
    await this.#queue.add('verify', { trigger: 'on-demand' }, { jobId: id, removeOnComplete: 100, removeOnFail: 100 });
    return id;
  }
}
