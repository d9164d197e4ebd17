import { Inject, Injectable } from '@nestjs/common';
import { KAFKA_BACKUP, KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';

/** Every platform topic, dead-letter topics and the shred announcements included (`crm.<context>.…`). */
export const MIRRORED_TOPICS = /^crm\./;

export interface MirrorPartitionView {
  topic: string;
  partition: number;
  /** The next offset the primary will write (decimal string: offsets are 64-bit). */
  primaryEndOffset: string;
  /** The same on the backup cluster; null while the topic does not exist there. */
  backupEndOffset: string | null;
  /** primary − backup (the whole primary partition while the backup has no such topic or partition); never negative. */
  lag: string;
}

export interface MirrorStatusView {
  /** When both clusters were asked. */
  observedAt: string;
  /** Sum of `lag` over every partition. */
  totalLag: string;
  /** Platform topics on the primary that the backup cluster does not have at all. */
  missingOnBackup: string[];
  partitions: MirrorPartitionView[];
}

/**
 * What the backup cluster holds of the primary, per topic-partition, read from both clusters' end offsets with the
 * platform's own client. It reports; it does not move data (see docs/backup.md for what runs and what does not).
 *
 * End offsets compare like for like only while the mirror keeps offsets (one record in, one record out, same
 * partition, from the start of the topic): that is the mirror docs/decisions/0004-backup-mirror.md asks for.
 */
@Injectable()
export class MirrorStatusService {
  constructor(
    @Inject(KAFKA_PRIMARY) private readonly primary: KafkaCluster,
    @Inject(KAFKA_BACKUP) private readonly backup: KafkaCluster,
  ) {}

  async status(topicFilter: RegExp = MIRRORED_TOPICS): Promise<MirrorStatusView> {
    const observedAt = new Date().toISOString();
    const [primaryTopics, backupTopics] = await Promise.all([this.primary.listTopics(), this.backup.listTopics()]);
    const topics = primaryTopics.filter((topic) => topicFilter.test(topic)).sort();
    const onBackup = new Set(backupTopics);
    const present = topics.filter((topic) => onBackup.has(topic));
    // Primary first: a record written between the two reads then shows as lag, never as the backup being ahead.
    const primaryEnds = await this.primary.endOffsetsOf(topics);
    const backupEnds = await this.backup.endOffsetsOf(present);
    const partitions: MirrorPartitionView[] = [];
    let total = 0n;
    for (const topic of topics) {
      const ends = primaryEnds.get(topic) ?? [];
      const mirrored = backupEnds.get(topic);
      ends.forEach((primaryEnd, partition) => {
        const backupEnd = mirrored?.[partition];
        const lag = backupEnd === undefined ? primaryEnd : primaryEnd > backupEnd ? primaryEnd - backupEnd : 0n;
        total += lag;
        partitions.push({
          topic,
          partition,
          primaryEndOffset: primaryEnd.toString(),
          backupEndOffset: backupEnd === undefined ? null : backupEnd.toString(),
          lag: lag.toString(),
        });
      });
    }
    return { observedAt, totalLag: total.toString(), missingOnBackup: topics.filter((topic) => !onBackup.has(topic)), partitions };
  }
}
