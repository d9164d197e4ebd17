import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { uuidv7 } from '@crm/eventstore';
import { CLOCK, ScheduledJobs, type Clock, type ScheduleSettings } from '@crm/platform';
import { RequestOutputs } from '../request-outputs/request-outputs.repository.js';
import { RequestCommands } from '../request-commands.service.js';
import { RequestStates } from '../request-states.repository.js';
import { DEADLINE_JOB_ACTOR, deadlineJobMetadata } from '../request.http.js';

/** Where and how often the deadline jobs run: the platform's Redis, BullMQ's key prefix and the sweep's interval. */
export type RequestDeadlineSettings = ScheduleSettings & { everyMs: number };
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
  readonly #jobs: ScheduledJobs<Record<string, never>>;

  constructor(
    @Inject(REQUEST_DEADLINE_SETTINGS) settings: RequestDeadlineSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly commands: RequestCommands,
    private readonly states: RequestStates,
    private readonly outputs: RequestOutputs,
  ) {
    // A failed sweep is retried by the next one; failures are logged by error name only: an error about a request
    // must not carry its texts into the log.
    this.#jobs = new ScheduledJobs<Record<string, never>>(settings, {
      queue: DEADLINE_QUEUE,
      scheduler: DEADLINE_SCHEDULER,
      job: SWEEP_JOB,
      scheduled: {},
      run: (_data, id) => this.sweep(id ?? uuidv7()),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.#jobs.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.#jobs.stop();
  }

  /** The queue (for operations and tests: its scheduler, a sweep run now). */
  get queue(): Queue<Record<string, never>, unknown, string, Record<string, never>, unknown, string> {
    return this.#jobs.queue;
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
