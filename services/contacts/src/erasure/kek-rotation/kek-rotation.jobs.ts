import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { kekRotationVerdict, type KekEpoch, type KekRotationPolicy, type KekRotationVerdict } from '@crm/crypto';
import { CLOCK, KEY_VAULT, ScheduledJobs, type Clock, type ScheduleSettings } from '@crm/platform';

/** The part of the key vault a rotation check needs. */
export interface RotatableVault {
  epochs(): Promise<KekEpoch[]>;
  rotateKek(): Promise<{ epoch: number; retiredEpochs: number[]; rewrapped: number }>;
}

export type KekRotationSettings = ScheduleSettings & KekRotationPolicy;
export const KEK_ROTATION_SETTINGS = Symbol('KEK_ROTATION_SETTINGS');

export const KEK_ROTATION_QUEUE = 'contacts-kek-rotation';
export const KEK_ROTATION_SCHEDULER = 'daily-kek-rotation-check';

/** What one check did: the verdict it acted on, the rotation if one ran, and whether the deadline is missed after it. */
export interface KekRotationCheck {
  verdict: KekRotationVerdict;
  rotated?: { epoch: number; retiredEpochs: number[]; rewrapped: number };
  /** A rotation was due but failed (another replica rotating, the vault unreachable): the next check tries again. */
  failed?: string;
  overdue: boolean;
}

/**
 * Completes erasures on a deadline. Shredding deletes a person's data key, but its wrapped copies live on in dead
 * tuples, WAL and backups until the KEK epoch that wrapped them is destroyed; so a daily BullMQ job rotates the KEK
 * once the oldest live epoch is `rotationDays` old (re-wrapping live keys under a new epoch and destroying the old
 * one, announced to every process's KEK cache), and raises `KEK_ROTATION_OVERDUE` when an epoch outlives the deadline.
 */
@Injectable()
export class KekRotationJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('KekRotation');
  readonly #jobs: ScheduledJobs<Record<string, never>>;

  constructor(
    @Inject(KEK_ROTATION_SETTINGS) private readonly settings: KekRotationSettings,
    @Inject(KEY_VAULT) private readonly vault: RotatableVault,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.#jobs = new ScheduledJobs<Record<string, never>>(settings, {
      queue: KEK_ROTATION_QUEUE,
      scheduler: KEK_ROTATION_SCHEDULER,
      job: 'kek-rotation-check',
      scheduled: {},
      run: () => this.check(),
      lockDurationMs: 300_000,
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.#jobs.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.#jobs.stop();
  }

  /** Queues a check now (operators, tests); its id is the job's. */
  enqueue(): Promise<string> {
    return this.#jobs.enqueue({});
  }

  async check(): Promise<KekRotationCheck> {
    const verdict = kekRotationVerdict(await this.vault.epochs(), this.clock(), this.settings);
    let outcome: KekRotationCheck = { verdict, overdue: verdict.overdue };
    if (verdict.rotate) {
      try {
        const rotated = await this.vault.rotateKek();
        this.#logger.log(
          `KEK rotated to epoch ${rotated.epoch}: ${rotated.rewrapped} data keys re-wrapped, epochs ${rotated.retiredEpochs.join(', ')} destroyed`,
        );
        const after = kekRotationVerdict(await this.vault.epochs(), this.clock(), this.settings);
        outcome = { verdict, rotated: { epoch: rotated.epoch, retiredEpochs: rotated.retiredEpochs, rewrapped: rotated.rewrapped }, overdue: after.overdue };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        outcome = { ...outcome, failed: typeof code === 'string' ? code : (error as Error).name };
        this.#logger.warn(`KEK rotation failed (${outcome.failed}); the next check tries again`);
      }
    }
    if (outcome.overdue) {
      // The alarm: erasures older than the deadline may still be recoverable from a copy holding the old epoch.
      const deadline = this.settings.rotationDays + this.settings.graceDays;
      this.#logger.error(`KEK_ROTATION_OVERDUE: a live KEK epoch is ${verdict.oldestLiveAgeDays} days old, past the ${deadline}-day erasure deadline`);
    }
    return outcome;
  }
}
