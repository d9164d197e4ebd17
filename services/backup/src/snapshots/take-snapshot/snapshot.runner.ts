import { Inject, Injectable, Logger } from '@nestjs/common';
import { uuidv7 } from '@crm/eventstore';
import { AppError } from '@crm/http';
import { KAFKA_PRIMARY, type KafkaCluster } from '@crm/messaging';
import { CLOCK, type Clock } from '@crm/platform';
import { MIRRORED_TOPICS } from '../../mirror/mirror-status.service.js';
import type { Pool } from '@crm/postgres';
import { takeVaultBackup, type VaultBackupSettings } from '../../vault/vault-backup.js';
import type { PgBackRest } from '../pgbackrest.cli.js';
import { SnapshotRuns, type SnapshotRunView } from '../snapshot-runs.store.js';
import { snapshotType, type RequestedSnapshotType } from '../snapshot-type.decision.js';

export const PGBACKREST = Symbol('PGBACKREST');
/** The key vault's database (a pool on it) and where its own backups go: each snapshot also backs the vault up alone. */
export const VAULT_BACKUP = Symbol('VAULT_BACKUP');
export interface VaultBackupTarget {
  vault: Pool;
  settings: VaultBackupSettings;
}

export interface SnapshotRequest {
  /** The run's id (the job's id when queued); a new one when absent. */
  id?: string;
  type: RequestedSnapshotType;
  trigger: SnapshotRunView['trigger'];
  requestedBy: string | null;
}

/**
 * Takes one snapshot of every service's database: records the primary's end offsets (the snapshot holds at least
 * everything below them), runs a pgBackRest backup of the cluster (full or differential; WAL is archived
 * continuously, so any moment after the oldest retained backup can be restored), verifies the repository, and records
 * the outcome; then backs the key vault up on its own (sealed under its own key, docs/backup.md). A failure is recorded with its stable code and logged as an error: the operators' alarm.
 */
@Injectable()
export class SnapshotRunner {
  readonly #logger = new Logger('Snapshots');

  constructor(
    @Inject(PGBACKREST) private readonly pgbackrest: PgBackRest,
    @Inject(KAFKA_PRIMARY) private readonly primary: KafkaCluster,
    private readonly runs: SnapshotRuns,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(VAULT_BACKUP) private readonly vault: VaultBackupTarget,
  ) {}

  async take(request: SnapshotRequest): Promise<SnapshotRunView> {
    const before = await this.pgbackrest.info();
    const lastFull = before.filter((backup) => backup.type === 'full' && !backup.error).at(-1);
    const type = snapshotType(request.type, lastFull?.stoppedAt, this.clock());
    const id = request.id ?? uuidv7();
    const topics = (await this.primary.listTopics()).filter((topic) => MIRRORED_TOPICS.test(topic)).sort();
    const ends = await this.primary.endOffsetsOf(topics);
    const kafkaOffsets = Object.fromEntries([...ends].map(([topic, offsets]) => [topic, offsets.map(String)]));
    await this.runs.started({ id, type, trigger: request.trigger, requestedBy: request.requestedBy, at: this.clock(), kafkaOffsets });
    try {
      await this.pgbackrest.backup(type);
      const known = new Set(before.map((backup) => backup.label));
      const taken = (await this.pgbackrest.info()).find((backup) => !known.has(backup.label));
      if (taken === undefined) throw new AppError('SNAPSHOT_FAILED', 'unavailable', 'the backup ended but the repository lists no new backup');
      await this.pgbackrest.verify();
      const vault = await takeVaultBackup(this.vault.vault, this.primary, this.vault.settings, this.clock);
      await this.runs.completed(id, this.clock(), { ...taken, verified: true });
      this.#logger.log(`snapshot ${taken.label} (${taken.type}) taken and verified; key vault backed up alone as ${vault.id}`);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'SNAPSHOT_FAILED';
      await this.runs.failed(id, this.clock(), code);
      this.#logger.error(`SNAPSHOT_FAILED: snapshot run ${id} failed (${code})`);
      throw error;
    }
    return (await this.runs.byId(id))!;
  }
}
