import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, type Clock } from '@crm/platform';
import { mirrorHealth, type MirrorHealth } from './mirror-alarm.decision.js';
import { MirrorStatusService } from './mirror-status.service.js';

export interface MirrorSupervisionSettings {
  /** How often the mirror is checked. */
  checkEveryMs: number;
  /** Lag without progress for this long is a stalled mirror (`CRM_BACKUP_MIRROR_STALL_SECONDS`, default 120). */
  stallAfterMs: number;
}
export const MIRROR_SUPERVISION = Symbol('MIRROR_SUPERVISION');

/**
 * Watches the mirror and raises the alarm when it stalls: an error line (MIRROR_STALLED, with the lag) when records
 * wait on the primary and the mirror has committed nothing for a while, and a line when it recovers.
 */
@Injectable()
export class MirrorSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('MirrorSupervisor');
  #timer: NodeJS.Timeout | undefined;
  #health: MirrorHealth = 'ok';
  #startedAt = new Date(0);

  constructor(
    private readonly status: MirrorStatusService,
    @Inject(MIRROR_SUPERVISION) private readonly settings: MirrorSupervisionSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.#startedAt = this.clock();
    this.#timer = setInterval(() => void this.check(), this.settings.checkEveryMs);
    this.#timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.#timer);
  }

  /** One check; returns the mirror's health. */
  async check(): Promise<MirrorHealth> {
    let view;
    try {
      view = await this.status.status();
    } catch (error) {
      this.#logger.warn(`the mirror could not be checked (${error instanceof Error ? error.name : 'unknown error'})`);
      return this.#health;
    }
    const health = mirrorHealth(
      {
        at: new Date(view.observedAt),
        totalLag: BigInt(view.totalLag),
        lastProgressAt: view.lastProgressAt === null ? undefined : new Date(view.lastProgressAt),
      },
      this.#startedAt,
      this.settings.stallAfterMs,
    );
    if (health !== this.#health) {
      if (health === 'stalled') {
        this.#logger.error(
          `MIRROR_STALLED: ${view.totalLag} records wait on the primary and the mirror has committed nothing since ${view.lastProgressAt ?? 'this service started'}`,
        );
      } else {
        this.#logger.log(`the mirror is copying again (lag ${view.totalLag})`);
      }
      this.#health = health;
    }
    return health;
  }
}
