import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisSettings } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';
import { CLOCK, type Clock } from '@crm/platform';
import { RequestOutputs } from '../request-outputs/request-outputs.repository.js';
import { RequestCommands } from '../request-commands.service.js';
import { RequestStates } from '../request-states.repository.js';
import { DEADLINE_JOB_ACTOR, deadlineJobMetadata } from '../request.http.js';

/** Where and how often the deadline jobs run. */
export interface RequestDeadlineSettings {
  redis: RedisSettings;
  /** BullMQ's key prefix on the platform's Redis. */
  prefix: string;
  /** The job scheduler's interval. */
  everyMs: number;
}
export const REQUEST_DEADLINE_SETTINGS = Symbol('REQUEST_DEADLINE_SETTINGS');

/** The deadline queue, and the id of its job scheduler (upserted at every start: one scheduler whatever the replicas). */
export const DEADLINE_QUEUE = 'consent-request-deadlines';
export const DEADLINE_SCHEDULER = 'request-deadlines-sweep';
export const SWEEP_JOB = 'sweep';

/** What one sweep did. */
export interface SweepResult {
  /** Open requests looked at (due within the due-soon window, or past due). */
  looked: number;
  reminded: number;
  markedOverdue: number;
  /** Requests whose contact was erased meanwhile (nothing can be recorded about them any more). */
  skipped: number;
  /** Access and portability package files deleted because their download period ended. */
  packagesExpired: number;
}

const SWEEP_BATCH = 1000;

/**
 * Reminders and overdue marking of data-subject requests, as BullMQ jobs on the platform's Redis: a job scheduler
 * produces a `sweep` job every `everyMs`, and this service's worker runs it. A sweep reads the open requests due
 * within the due-soon window or past due (by the service's clock, injected) and sends each a RemindDueSoon and a
 * MarkOverdue command through the one write path; the decisions make both idempotent (once per due date, once per
 * request), so replicas, retries and overlapping sweeps do no harm.
 */
@Injectable()
export class RequestDeadlineJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('RequestDeadlineJobs');
  #queue: Queue | undefined;
  #worker: Worker | undefined;

  constructor(
    @Inject(REQUEST_DEADLINE_SETTINGS) private readonly settings: RequestDeadlineSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly commands: RequestCommands,
    private readonly states: RequestStates,
    private readonly outputs: RequestOutputs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { redis, prefix, everyMs } = this.settings;
    const connection: ConnectionOptions = {
      host: redis.host,
      port: redis.port,
      password: redis.password.reveal(),
      connectionName: 'consent-request-deadlines',
    };
    this.#queue = new Queue(DEADLINE_QUEUE, { connection, prefix });
    this.#worker = new Worker(DEADLINE_QUEUE, (job: Job) => this.sweep(job.id ?? uuidv7()), { connection, prefix, concurrency: 1 });
    // A failed sweep is retried by the next one; Redis outages surface as `error` events (unhandled, they would end
    // the process), logged by name only: an error about a request must not carry its texts into the log.
    this.#worker.on('failed', (_job, error) => this.#logger.warn(`a deadline sweep failed: ${error.name}`));
    this.#worker.on('error', (error) => this.#logger.warn(`the deadline worker: ${error.name}`));
    this.#queue.on('error', (error) => this.#logger.warn(`the deadline queue: ${error.name}`));
    await this.#queue.upsertJobScheduler(
      DEADLINE_SCHEDULER,
      { every: everyMs },
      { name: SWEEP_JOB, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }

  /** The queue (for operations and tests: its scheduler, a sweep run now). */
  get queue(): Queue {
    if (this.#queue === undefined) throw new Error('the deadline jobs are not started');
    return this.#queue;
  }

  /** One sweep at the service's clock now. */
  async sweep(correlationId: string): Promise<SweepResult> {
    const now = this.clock();
    // Packages past their download period go first: a sealed copy kept longer than needed is still a copy (Art. 5(1)(e)).
    const packagesExpired = await this.outputs.deleteExpired(now);
    const due = await this.states.dueBy(now, SWEEP_BATCH);
    const result: SweepResult = { looked: due.length, reminded: 0, markedOverdue: 0, skipped: 0, packagesExpired };
    const metadata = deadlineJobMetadata(correlationId);
    for (const { requestId } of due) {
      try {
        const reminded = await this.commands.onFiled({ type: 'RemindDueSoon', requestId, actorId: DEADLINE_JOB_ACTOR }, metadata);
        result.reminded += reminded.decided;
        const marked = await this.commands.onFiled({ type: 'MarkOverdue', requestId, actorId: DEADLINE_JOB_ACTOR }, metadata);
        result.markedOverdue += marked.decided;
      } catch (error) {
        if ((error as { code?: string }).code !== 'REQUEST_CONTACT_ERASED') throw error;
        result.skipped += 1;
      }
    }
    return result;
  }
}
