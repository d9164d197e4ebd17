import { AppError } from '@crm/http';
import { PostgresKeyStore, protobufShredAnnouncementCodec, SHREDDED_KEYS_TOPIC, type KekProvider } from '@crm/crypto';
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

/**
 * Re-applies every erasure the backup cluster knows (`crm.keys.v1.shredded`, mirrored from the primary and kept
 * forever) to a restored key vault, before anything may read it: a snapshot taken before an erasure still holds the
 * erased subject's wrapped key, and a restore must not make it usable again. Each is shredded with its original time
 * and reason, so the restored erasure ledger says what the live one said. An announcement whose value cannot be read
 * still names the subject in its key, and is applied from that (failing open would resurrect a key).
 */
export async function reapplyErasures(backup: KafkaCluster, keyVault: Pool, options: { groupId: string; timeoutMs: number }): Promise<ErasuresOutcome> {
  let at = new Date();
  const store = new PostgresKeyStore({ pool: keyVault, kek: NO_KEK, clock: () => at });
  const result: ErasuresReapplied = { announced: 0, destroyedAgain: 0, alreadyErased: 0 };
  const subjects = new Set<string>();
  const topics = (await backup.listTopics()).includes(SHREDDED_KEYS_TOPIC) ? [SHREDDED_KEYS_TOPIC] : [];
  await backup.readToEnd(
    topics,
    async (message) => {
      result.announced += 1;
      let subjectId = message.key;
      let reason: 'ERASURE_REQUEST' | 'RETENTION_EXPIRED' | 'ADMINISTRATIVE' = 'ERASURE_REQUEST';
      try {
        const announcement = protobufShredAnnouncementCodec.decode(message.value);
        subjectId = announcement.subjectId;
        reason = announcement.reason;
        at = announcement.shreddedAt;
      } catch {
        at = new Date();
      }
      if (subjectId === undefined || subjectId === '') return;
      subjects.add(subjectId);
      const outcome = await store.shred(subjectId, reason);
      if (outcome.alreadyShredded) result.alreadyErased += 1;
      else result.destroyedAgain += 1;
    },
    options,
  );
  return { counts: result, subjects };
}
