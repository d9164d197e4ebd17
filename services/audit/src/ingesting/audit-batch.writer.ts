import { decodeEnvelope } from '@crm/contracts';
import type { Logger } from '@crm/logging';
import type { IncomingMessage } from '@crm/messaging';
import { withTransaction, type PoolClient } from '@crm/postgres';
import type { ProcessedEvent } from '@crm/processing';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { entryLeafHash, placedLeafHash, unplacedLeafInput } from '../trail/entry.canonical.js';
import type { EntriesStore } from '../trail/entries.store.js';
import { envelopeToEntry, millisecondPrecision, type EntryDraft } from './envelope-to-entry.js';

export interface BatchOutcome {
  /** The entries this batch added, in leaf order. */
  appended: StoredAuditEntry[];
  /** Events already recorded (redelivered, or republished under a new offset). */
  duplicates: number;
}

/**
 * What an event becomes before it has a place in the log: its entry draft and, when its time of occurrence is known,
 * its leaf input encoded up to the leaf index and recording time, so that placing it (again) costs two numbers and
 * one hash.
 */
class PreparedEntry {
  readonly draft: EntryDraft;
  readonly leafInput: Buffer | undefined;

  constructor(event: ProcessedEvent) {
    this.draft = envelopeToEntry(event.envelope, event, event.value);
    const { occurredAt } = this.draft;
    this.leafInput = occurredAt === undefined ? undefined : unplacedLeafInput({ ...this.draft, occurredAt });
  }
}

/** Entries prepared as their event arrived (`prepareEntry`), by envelope: the batch holding that event finds them. */
const prepared = new WeakMap<ProcessedEvent['envelope'], PreparedEntry>();

/**
 * The projector's `prepare`: builds an event's entry draft and leaf input as the event arrives, while the previous
 * batch is still in its transaction, so that this CPU work overlaps the database's. `recordEvents` builds whatever
 * was not prepared; what it builds is the same either way (the draft depends on the event alone).
 */
export function prepareEntry(event: ProcessedEvent): void {
  prepared.set(event.envelope, new PreparedEntry(event));
}

/**
 * Records decoded events in the caller's transaction (the audit projector's, which commits them with the Kafka
 * checkpoints): entries and the log's next leaf index. The row lock on the log state serialises writers, so leaf
 * indexes stay dense. Leaf hashes are computed here, in-process, so the database never has to be trusted to have
 * hashed what it stored. An event id already in the log is recorded once.
 *
 * The batch is appended in one statement that refuses to write anything when an event id is already in the log
 * (a redelivery the checkpoints did not stop, or a republished event); the rest is then appended again with
 * leaf indexes that leave no gap, so the common case costs a single round trip after the lock.
 */
export async function recordEvents(store: EntriesStore, tx: PoolClient, events: readonly ProcessedEvent[], now: () => Date): Promise<BatchOutcome> {
  const next = await store.lockNextLeafIndex(tx);
  const recordedAt = millisecondPrecision(now());
  const unique: PreparedEntry[] = [];
  const ids = new Set<string>();
  for (const event of events) {
    const entry = prepared.get(event.envelope) ?? new PreparedEntry(event);
    if (ids.has(entry.draft.eventId)) continue;
    ids.add(entry.draft.eventId);
    unique.push(entry);
  }
  let appended = place(unique, next, recordedAt);
  const known = await store.append(tx, appended, next + appended.length);
  if (known.size > 0) {
    appended = place(
      unique.filter((entry) => !known.has(entry.draft.eventId)),
      next,
      recordedAt,
    );
    const again = await store.append(tx, appended, next + appended.length);
    // Under the log lock nobody else appends: the ids found once are all there are.
    if (again.size > 0) throw new Error('the audit log changed while its lock was held');
  }
  return { appended, duplicates: events.length - appended.length };
}

/** Gives entries consecutive leaf indexes from `first`, and their leaf hashes. */
function place(entries: readonly PreparedEntry[], first: number, recordedAt: Date): StoredAuditEntry[] {
  return entries.map(({ draft, leafInput }, i) => {
    const entry = { ...draft, leafIndex: first + i, recordedAt, occurredAt: draft.occurredAt ?? recordedAt };
    return { ...entry, leafHash: leafInput === undefined ? entryLeafHash(entry) : placedLeafHash(leafInput, entry.leafIndex, recordedAt) };
  });
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
