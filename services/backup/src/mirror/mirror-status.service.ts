import { Inject, Injectable } from '@nestjs/common';
import { KAFKA_BACKUP, KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { MirrorProgress } from './mirror-progress.js';

/** Every platform topic, dead-letter topics and the shred announcements included (`crm.<context>.…`). */
export const MIRRORED_TOPICS = /^crm\./;

export interface MirrorPartitionView {
  topic: string;
  partition: number;
  /** The next offset the primary will write (decimal string: offsets are 64-bit). */
  primaryEndOffset: string;
  /** The next primary offset the mirror has not copied yet: everything below it is on the backup cluster. */
  mirroredUpTo: string;
  /** primaryEndOffset − mirroredUpTo: records written to the primary and not yet on the backup cluster. */
  lag: string;
}

export interface MirrorStatusView {
  /** When the primary was asked. */
  observedAt: string;
  /** The engine: Kafka's MirrorMaker 2, run by the platform's scripts beside the brokers. */
  engine: 'MirrorMaker 2';
  /** When the mirror last committed progress, as seen by this service (null: not since it started). */
  lastProgressAt: string | null;
  /** Sum of `lag` over every partition. */
  totalLag: string;
  /** Platform topics on the primary that the backup cluster does not have at all. */
  missingOnBackup: string[];
  partitions: MirrorPartitionView[];
}

/**
 * What the backup cluster holds of the primary, per topic-partition: the primary's end offsets against the offsets
 * the mirror has committed as copied (exactly once, in the same transaction as the records). It reports; the
 * copying is MirrorMaker 2's (deploy/local/mirror.sh, docs/backup.md).
 */
@Injectable()
export class MirrorStatusService {
  constructor(
    @Inject(KAFKA_PRIMARY) private readonly primary: KafkaCluster,
    @Inject(KAFKA_BACKUP) private readonly backup: KafkaCluster,
    private readonly progress: MirrorProgress,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async status(topicFilter: RegExp = MIRRORED_TOPICS): Promise<MirrorStatusView> {
    const [primaryTopics, backupTopics] = await Promise.all([this.primary.listTopics(), this.backup.listTopics()]);
    const topics = primaryTopics.filter((topic) => topicFilter.test(topic)).sort();
    const onBackup = new Set(backupTopics);
    const observedAt = this.clock().toISOString();
    const primaryEnds = await this.primary.endOffsetsOf(topics);
    const partitions: MirrorPartitionView[] = [];
    let total = 0n;
    for (const topic of topics) {
      (primaryEnds.get(topic) ?? []).forEach((primaryEnd, partition) => {
        const copied = this.progress.copiedUpTo(topic, partition);
        const lag = primaryEnd > copied ? primaryEnd - copied : 0n;
        total += lag;
        partitions.push({ topic, partition, primaryEndOffset: primaryEnd.toString(), mirroredUpTo: copied.toString(), lag: lag.toString() });
      });
    }
    return {
      observedAt,
      engine: 'MirrorMaker 2',
      lastProgressAt: this.progress.updatedAt?.toISOString() ?? null,
      totalLag: total.toString(),
      missingOnBackup: topics.filter((topic) => !onBackup.has(topic)),
      partitions,
    };
  }
}
