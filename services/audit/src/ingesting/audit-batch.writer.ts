import { decodeEnvelope } from '@crm/contracts';
import type { Logger } from '@crm/logging';
import type { IncomingMessage } from '@crm/messaging';
import { withTransaction, type PoolClient } from '@crm/postgres';
import type { ProcessedEvent } from '@crm/processing';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import type { EntriesStore } from '../trail/entries.store.js';
import { envelopeToEntry, millisecondPrecision, type EntryDraft } from './envelope-to-entry.js';

export interface BatchOutcome {
  /** The entries this batch added, in leaf order. */
  appended: StoredAuditEntry[];
  /** Events already recorded (redelivered, or republished under a new offset). */
  duplicates: number;
}

/**
 * Records decoded events in the caller's transaction (the audit projector's, which commits them with the Kafka
 * checkpoints): entries and the log's next leaf index. The row lock on the log state serialises writers, so leaf
 * indexes stay dense. Leaf hashes are computed here, in-process, so the database never has to be trusted to have
 * hashed what it stored. An event id already in the log is recorded once.
 */
export async function recordEvents(store: EntriesStore, tx: PoolClient, events: readonly ProcessedEvent[], now: () => Date): Promise<BatchOutcome> {
  let next = await store.lockNextLeafIndex(tx);
  const drafts: EntryDraft[] = events.map((event) => envelopeToEntry(event.envelope, event, event.value));
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
  return { appended, duplicates: drafts.length - appended.length };
}

/** Decodes and records messages in a transaction of their own: for feeding a store without Kafka (tests, tools). */
export async function recordBatch(store: EntriesStore, batch: readonly IncomingMessage[], now: () => Date, logger?: Logger): Promise<BatchOutcome> {
  const events: ProcessedEvent[] = [];
  for (const message of batch) {
    try {
      events.push({ ...message, envelope: decodeEnvelope(message.value) });
    } catch {
      logger?.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset.toString() },
        'skipped a message that is not an event envelope',
      );
    }
  }
  return withTransaction(store.pool, (tx) => recordEvents(store, tx, events, now));
}
