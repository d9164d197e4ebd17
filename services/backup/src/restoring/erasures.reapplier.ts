import { AppError } from '@crm/http';
import { PostgresKeyStore, protobufShredAnnouncementCodec, SHREDDED_KEYS_TOPIC, type KekProvider, type ShredReason } from '@crm/crypto';
import type { KafkaCluster } from '@crm/messaging';
import type { Pool } from '@crm/postgres';

/**
 * The restore never unwraps a key: its key store has no KEK at all, so a bug here cannot hand a restored key out.
 * Shredding (deleting wrapped keys, writing the ledger) needs none.
 */
const NO_KEK: KekProvider = {
  currentEpoch: () => Promise.reject(new AppError('RESTORE_NO_KEK', 'internal', 'a restore never uses the key-encryption key')),
  kek: () => Promise.reject(new AppError('RESTORE_NO_KEK', 'internal', 'a restore never uses the key-encryption key')),
  createNext: () => Promise.reject(new AppError('RESTORE_NO_KEK', 'internal', 'a restore never uses the key-encryption key')),
  destroy: () => Promise.reject(new AppError('RESTORE_NO_KEK', 'internal', 'a restore never uses the key-encryption key')),
};

export interface ErasuresReapplied {
  /** Shred announcements read from the backup cluster. */
  announced: number;
  /** Subjects whose keys the restored vault still held (erased after the snapshot): destroyed again now. */
  destroyedAgain: number;
  /** Subjects the restored vault already knew as erased. */
  alreadyErased: number;
}

/** The counts, and the subjects themselves (for a drill's check; never printed). */
export interface ErasuresOutcome {
  counts: ErasuresReapplied;
  subjects: Set<string>;
}

/** An erasure as the backup cluster announced it (PII-free: a pseudonymous subject id, a time, versions and a reason). */
export interface AnnouncedErasure {
  subjectId: string;
  reason: ShredReason;
  /** When it happened (the announcement's own time; the time it was read when the value is unreadable). */
  at: Date;
  keyVersions: number[];
}

/**
 * Every erasure announced on the backup cluster (`crm.keys.v1.shredded`, mirrored from the primary and kept forever),
 * in the order announced. An announcement whose value cannot be read still names the subject in its Kafka key, and is
 * returned from that (failing open would resurrect a key).
 */
export async function readAnnouncedErasures(
  backup: KafkaCluster,
  options: { groupId: string; timeoutMs: number; now?: () => Date },
): Promise<{ announced: number; erasures: AnnouncedErasure[] }> {
  const now = options.now ?? (() => new Date());
  const erasures: AnnouncedErasure[] = [];
  let announced = 0;
  const topics = (await backup.listTopics()).includes(SHREDDED_KEYS_TOPIC) ? [SHREDDED_KEYS_TOPIC] : [];
  await backup.readToEnd(
    topics,
    (message) => {
      announced += 1;
      try {
        const announcement = protobufShredAnnouncementCodec.decode(message.value);
        erasures.push({ subjectId: announcement.subjectId, reason: announcement.reason, at: announcement.shreddedAt, keyVersions: announcement.keyVersions });
      } catch {
        if (message.key !== undefined && message.key !== '') erasures.push({ subjectId: message.key, reason: 'ERASURE_REQUEST', at: now(), keyVersions: [] });
      }
    },
    { groupId: options.groupId, timeoutMs: options.timeoutMs },
  );
  return { announced, erasures };
}

/**
 * Re-applies every erasure the backup cluster knows to a restored key vault, before anything may read it: a snapshot
 * taken before an erasure still holds the erased subject's wrapped key, and a restore must not make it usable again.
 * Each is shredded with its original time and reason, so the restored erasure ledger says what the live one said.
 */
export async function reapplyErasures(backup: KafkaCluster, keyVault: Pool, options: { groupId: string; timeoutMs: number }): Promise<ErasuresOutcome> {
  let at = new Date();
  const store = new PostgresKeyStore({ pool: keyVault, kek: NO_KEK, clock: () => at });
  const { announced, erasures } = await readAnnouncedErasures(backup, options);
  const result: ErasuresReapplied = { announced, destroyedAgain: 0, alreadyErased: 0 };
  const subjects = new Set<string>();
  for (const erasure of erasures) {
    subjects.add(erasure.subjectId);
    at = erasure.at;
    const outcome = await store.shred(erasure.subjectId, erasure.reason);
    if (outcome.alreadyShredded) result.alreadyErased += 1;
    else result.destroyedAgain += 1;
  }
  return { counts: result, subjects };
}
