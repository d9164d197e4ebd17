import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { RedisSettings } from '@crm/config';

export interface ImportJobSettings {
  redis: RedisSettings;
  /** BullMQ's key prefix on the platform's Redis (per contacts database, as retention's). */
  prefix: string;
  /** How long a worker holds an import without renewing its lock; a dead worker's import is taken over after it. */
  lockMs: number;
}
export const IMPORT_JOB_SETTINGS = Symbol('IMPORT_JOB_SETTINGS');
export const IMPORT_QUEUE = 'contacts-imports';

/** Which attempt of its job a run is: only the last one ends an import on a transient failure. */
export interface ImportAttempt {
  final: boolean;
}

/**
 * BullMQ's retry of an import's job: a run that throws (a transient failure, a clean stop) is attempted again after
 * 1, 2, 4 … seconds (exponential backoff, about eight and a half minutes over all attempts), each attempt resuming
 * from the row ledger.
 */
export const IMPORT_ATTEMPTS = 10;
export const IMPORT_BACKOFF = { type: 'exponential', delay: 1_000 } as const;

/** What runs one import (ContactImport.run): it resumes an import that a dead process left half done. */
export interface ImportRunner {
  run(importId: string, attempt: ImportAttempt): Promise<unknown>;
  /** Imports stored but not ended (queued or running): each must have a job that will run it. */
  unfinished(): Promise<string[]>;
}

interface ImportJob {
  importId: string;
}

/**
 * Imports on BullMQ, the platform's job queue: one job per import (the job id is the import id, so queueing twice is
 * one job), one worker per process running them one at a time. A process that dies mid-import stops renewing the
 * job's lock: once it lapses, BullMQ's stalled-job check hands the job to another worker (or to this service's next
 * start), whose run resumes the import from its row ledger. Errors are logged by name only (no personal data).
 */
@Injectable()
export class ImportJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger(`Jobs:${IMPORT_QUEUE}`);
  #queue: Queue<ImportJob> | undefined;
  #worker: Worker<ImportJob> | undefined;
  #runner: ImportRunner | undefined;
  #stopping = false;

  constructor(@Inject(IMPORT_JOB_SETTINGS) private readonly settings: ImportJobSettings) {}

  /** The runner the worker hands each job to (the import service registers itself; it also queues the jobs). */
  serve(runner: ImportRunner): void {
    this.#runner = runner;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { redis, prefix, lockMs } = this.settings;
    const connection: ConnectionOptions = { host: redis.host, port: redis.port, password: redis.password.reveal(), connectionName: IMPORT_QUEUE };
    this.#queue = new Queue<ImportJob>(IMPORT_QUEUE, { connection, prefix });
    this.#worker = new Worker<ImportJob>(
      IMPORT_QUEUE,
      async (job) => {
        if (this.#runner === undefined) throw new Error('no import runner registered');
        // The report stays in Postgres; the job keeps no result in Redis. BullMQ counts the attempts that failed
        // before this one (`attemptsMade`) and retries a failed one only while fewer than `attempts` have been made.
        await this.#runner.run(job.data.importId, { final: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      },
      {
        connection,
        prefix,
        concurrency: 1,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A job is taken over once per crash; many crashes in a row still fail it rather than loop for ever.
        maxStalledCount: 10,
      },
    );
    this.#worker.on('failed', (_job, error) => this.#logger.warn(`an import run failed: ${error.name}`));
    this.#worker.on('error', (error) => this.#logger.warn(`the worker: ${error.name}`));
    this.#queue.on('error', (error) => this.#logger.warn(`the queue: ${error.name}`));
    await this.#requeueUnfinished().catch((error: unknown) => this.#logger.warn(`re-queueing unfinished imports failed: ${(error as Error).name}`));
  }

  /**
   * A clean stop (before the connections close): the running import stops at its next batch (`stopping`), its job is
   * retried by BullMQ, and this waits for that.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.#stopping = true;
    await this.#worker?.close();
    await this.#queue?.close();
  }

  /** Whether this process is stopping: a running import leaves the rest of its rows to the job's next run. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Every unfinished import gets a job again where its own is gone (Redis lost it) or failed for good (more crashes or
   * stops than its attempts): an import is never left `running` with nobody to run it.
   */
  async #requeueUnfinished(): Promise<void> {
    for (const importId of (await this.#runner?.unfinished()) ?? []) {
      const job = await this.#queue!.getJob(importId);
      if (job === undefined) await this.enqueue(importId);
      else if (await job.isFailed()) await job.retry('failed');
    }
  }

  /**
   * Stops this process's worker at once, leaving its import where it is and its lock to lapse: what a crash of the
   * service does to a running import (tests; a clean shutdown waits instead).
   */
  async abandon(): Promise<void> {
    await this.#worker?.close(true);
  }

  async enqueue(importId: string): Promise<void> {
    if (this.#queue === undefined) throw new Error('the import jobs are not started');
    await this.#queue.add(
      'contact-import',
      { importId },
      {
        jobId: importId,
        // A run stopped by a transient failure (or a clean stop, or one that could not even record its outcome) is
        // tried again; the ledger makes that safe.
        attempts: IMPORT_ATTEMPTS,
        backoff: IMPORT_BACKOFF,
        removeOnComplete: 100,
        removeOnFail: 100,
      },
    );
  }
}
