import { decodeEnvelope } from '@crm/contracts';
import type { Logger } from '@crm/logging';
import type { IncomingMessage } from '@crm/messaging';
import { withTransaction } from '@crm/postgres';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import type { EntriesStore } from '../trail/entries.store.js';
import { envelopeToEntry, millisecondPrecision, type EntryDraft } from './envelope-to-entry.js';

export interface BatchOutcome {
  /** The entries this batch added, in leaf order. */
  appended: StoredAuditEntry[];
  /** Messages already recorded (redelivered, or republished under a new offset). */
  duplicates: number;
  /** Messages that are not event envelopes: skipped with a log line (topic, partition, offset; never the bytes). */
  undecodable: number;
}

/**
 * Records one consumed batch in one transaction: entries, the log's next leaf index and the Kafka checkpoints
 * commit together or not at all. Leaf hashes are computed here, in-process, so the database never has to be
 * trusted to have hashed what it stored.
 */
export async function recordBatch(store: EntriesStore, batch: readonly IncomingMessage[], now: () => Date, logger?: Logger): Promise<BatchOutcome> {
  return withTransaction(store.pool, async (tx) => {
    // The log-state row lock comes first: every writer reads checkpoints and the next index under it.
    let next = await store.lockNextLeafIndex(tx);
    const checkpoints = await store.checkpoints(tx);
    const fresh = batch.filter((message) => message.offset >= (checkpoints.get(`${message.topic}:${message.partition}`) ?? 0n));

    let undecodable = 0;
    const drafts: EntryDraft[] = [];
    for (const message of fresh) {
      try {
        drafts.push(envelopeToEntry(decodeEnvelope(message.value), message, message.value));
      } catch {
        undecodable++;
        logger?.warn({ topic: message.topic, partition: message.partition, offset: message.offset.toString() }, 'audit ingest skipped a message that is not an event envelope');
      }
    }
    const seen = await store.existingEventIds(tx, [...new Set(drafts.map((draft) => draft.eventId))]);
    const recordedAt = millisecondPrecision(now());
    const appended: StoredAuditEntry[] = [];
    for (const draft of drafts) {
      if (seen.has(draft.eventId)) continue;
      seen.add(draft.eventId);
      const entry = { ...draft, leafIndex: next++, recordedAt, occurredAt: draft.occurredAt ?? recordedAt };
      appended.push({ ...entry, leafHash: entryLeafHash(entry) });
    }
    await store.insert(tx, appended, next);

    const progress = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const message of fresh) progress.set(`${message.topic}:${message.partition}`, { topic: message.topic, partition: message.partition, offset: message.offset + 1n });
    await store.saveCheckpoints(tx, [...progress.values()]);
    return { appended, duplicates: drafts.length - appended.length, undecodable };
  });
}
