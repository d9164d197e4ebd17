import { uuidv7 } from '@crm/eventstore';
import { ScheduledJobs, type ScheduleSettings } from '@crm/platform';
import type { AuditVerificationRunner } from './audit-verification.runner.js';

export const VERIFICATION_QUEUE = 'audit-verifications';
export const DAILY_VERIFICATION_SCHEDULER = 'daily-audit-verification';

/**
 * Where and when: the platform's Redis, BullMQ's key prefix (`CRM_AUDIT_JOBS_PREFIX`, default `crm:audit`) and the
 * cron pattern (`CRM_AUDIT_VERIFY_SCHEDULE`, default daily at 04:30) in its time zone.
 */
export type VerificationScheduleSettings = ScheduleSettings;

interface VerificationJob {
  trigger: 'schedule' | 'on-demand';
}

/**
 * The audit trail's verification as BullMQ jobs (the platform's `ScheduledJobs`, like the backup service's snapshots
 * and drills): a job scheduler for the daily run, upserted at every start so replicas share one schedule, and one
 * worker per process running them one at a time. The runner raises the alarm itself.
 */
export class AuditVerificationJobs {
  readonly #jobs: ScheduledJobs<VerificationJob>;

  constructor(settings: VerificationScheduleSettings, runner: AuditVerificationRunner) {
    this.#jobs = new ScheduledJobs<VerificationJob>(settings, {
      queue: VERIFICATION_QUEUE,
      scheduler: DAILY_VERIFICATION_SCHEDULER,
      job: 'verify',
      scheduled: { trigger: 'schedule' },
      run: (data, id) => runner.run(id ?? uuidv7(), data.trigger),
      lockDurationMs: 600_000,
    });
  }

  start(): Promise<void> {
    return this.#jobs.start();
  }

  stop(): Promise<void> {
    return this.#jobs.stop();
  }

  /** Queues a verification now (an operator's, or a test's); answers its id. */
  enqueue(): Promise<string> {
    return this.#jobs.enqueue({ trigger: 'on-demand' });
  }
}
