import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { KAFKA_BACKUP, type KafkaCluster, type Subscription } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { MIRROR_OFFSETS_TOPIC, parseMirroredOffset } from './mirror-offsets.js';

/**
 * How far MirrorMaker 2 has copied each primary topic-partition, followed live from its offsets topic on the backup
 * cluster (see mirror-offsets.ts). Rebuilt from the whole (compacted) topic at every start; no state of its own.
 */
@Injectable()
export class MirrorProgress implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #lastCopied = new Map<string, bigint>();
  #updatedAt: Date | undefined;
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #warned = false;
  readonly #logger = new Logger('MirrorProgress');

  constructor(
    @Inject(KAFKA_BACKUP) private readonly backup: KafkaCluster,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.#startFollowing();
  }

  // The topic is created by the mirror when it first starts; until then there is nothing to follow (and no copy):
  // look again every few seconds.
  async #startFollowing(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!(await this.backup.listTopics()).includes(MIRROR_OFFSETS_TOPIC)) {
        if (!this.#warned)
          this.#logger.warn(`MIRROR_NOT_RUNNING: the backup cluster has no ${MIRROR_OFFSETS_TOPIC} (the mirror has not run yet); looking again every 3 s`);
        this.#warned = true;
        this.#retry();
        return;
      }
      this.#subscription = await this.backup.follow(MIRROR_OFFSETS_TOPIC, (message) => this.#record(message.key, message.value), {
        // A fresh group each start: it never commits, it reads the whole topic (see KafkaCluster.follow).
        groupId: `crm-backup-mirror-progress-${process.pid}-${this.clock().getTime()}`,
        onError: (error) => this.#logger.error(`MIRROR_PROGRESS_READ_FAILED: reading ${MIRROR_OFFSETS_TOPIC} failed (${errorName(error)})`),
      });
      if (this.#stopped) await this.#subscription.stop();
    } catch (error) {
      this.#logger.error(`BACKUP_CLUSTER_UNAVAILABLE: the backup cluster did not answer (${errorName(error)}); retrying in 3 s`);
      this.#retry();
    }
  }

  #retry(): void {
    this.#timer = setTimeout(() => void this.#startFollowing(), 3_000);
    this.#timer.unref();
  }

  #record(key: string | undefined, value: Buffer | null | undefined): void {
    const offset = parseMirroredOffset(key, value);
    if (offset === undefined) return;
    const at = `${offset.topic}\u0000${offset.partition}`;
    if (offset.lastCopied === null) this.#lastCopied.delete(at);
    else this.#lastCopied.set(at, offset.lastCopied);
    this.#updatedAt = this.clock();
  }

  async onApplicationShutdown(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#subscription?.stop();
  }

  /** The next primary offset the mirror has not copied yet (0 when it has copied nothing of that partition). */
  copiedUpTo(topic: string, partition: number): bigint {
    const last = this.#lastCopied.get(`${topic}\u0000${partition}`);
    return last === undefined ? 0n : last + 1n;
  }

  /** When the mirror last reported progress to this service; undefined when it has not since the service started. */
  get updatedAt(): Date | undefined {
    return this.#updatedAt;
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'unknown error');
