import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MirrorRecoveredSchema, MirrorStalledSchema, timestampFromDate } from '@crm/contracts';
import { uuidv7 } from '@crm/eventstore';
import { CLOCK, type Clock } from '@crm/platform';
import { BACKUP_EVENTS_TOPIC, BackupEvents } from '../events/backup-events.js';
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
 * Watches the mirror and raises the alarm when it stalls: when records wait on the primary and the mirror has
 * committed nothing for a while, an error line (MIRROR_STALLED, with the lag) and a `MirrorStalled` event on
 * `crm.backup.v1.events` (so the audit trail holds every time backups stopped); when it copies again, a line and
 * `MirrorRecovered` on the same alarm's stream. An alarm that cannot be published is said in the log, and tried
 * again at the next check.
 */
@Injectable()
export class MirrorSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('MirrorSupervisor');
  #timer: NodeJS.Timeout | undefined;
  #health: MirrorHealth = 'ok';
  #startedAt = new Date(0);
  /** The alarm raised and not yet ended (its id and when it was raised). */
  #alarm: { id: string; at: Date } | undefined;
  /** A change of health not yet on record (its event failed to publish). */
  #unpublished: (() => Promise<void>) | undefined;

  constructor(
    private readonly status: MirrorStatusService,
    private readonly events: BackupEvents,
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
    const observedAt = new Date(view.observedAt);
    if (health !== this.#health) {
      if (health === 'stalled') {
        this.#logger.error(
          `MIRROR_STALLED: ${view.totalLag} records wait on the primary and the mirror has committed nothing since ${view.lastProgressAt ?? 'this service started'}`,
        );
        const alarm = { id: uuidv7(observedAt.getTime()), at: observedAt };
        this.#alarm = alarm;
        this.#unpublished = () =>
          this.events.publish({
            schema: MirrorStalledSchema,
            payload: {
              alarmId: alarm.id,
              totalLag: BigInt(view.totalLag),
              ...(view.lastProgressAt === null ? {} : { lastProgressAt: timestampFromDate(new Date(view.lastProgressAt)) }),
              observedAt: timestampFromDate(observedAt),
              stallAfterMs: BigInt(this.settings.stallAfterMs),
            },
            stream: { id: `mirror-alarm-${alarm.id}`, version: 1n },
            requestedBy: null,
            at: observedAt,
          });
      } else {
        this.#logger.log(`the mirror is copying again (lag ${view.totalLag})`);
        const alarm = this.#alarm;
        let raised = this.#unpublished;
        this.#alarm = undefined;
        this.#unpublished =
          alarm === undefined
            ? undefined
            : async () => {
                // Its MirrorStalled first (version 1), should it still wait; once only.
                await raised?.();
                raised = undefined;
                await this.events.publish({
                  schema: MirrorRecoveredSchema,
                  payload: {
                    alarmId: alarm.id,
                    totalLag: BigInt(view.totalLag),
                    stalledAt: timestampFromDate(alarm.at),
                    observedAt: timestampFromDate(observedAt),
                  },
                  stream: { id: `mirror-alarm-${alarm.id}`, version: 2n },
                  requestedBy: null,
                  at: observedAt,
                });
              };
      }
      this.#health = health;
    }
    await this.#publishPending();
    return health;
  }

  async #publishPending(): Promise<void> {
    const pending = this.#unpublished;
    if (pending === undefined) return;
    try {
      await pending();
      if (this.#unpublished === pending) this.#unpublished = undefined;
    } catch (error) {
      this.#logger.error(
        `MIRROR_ALARM_UNPUBLISHED: the mirror's alarm could not be published to ${BACKUP_EVENTS_TOPIC} (${error instanceof Error ? error.name : 'unknown error'}); trying again at the next check`,
      );
    }
  }
}
