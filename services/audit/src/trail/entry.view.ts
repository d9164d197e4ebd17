import { fromHex, toHex } from '@crm/merkle';
import type { AuditEntry, StoredAuditEntry } from './audit-entry.model.js';

/** An audit entry as the API serves it: every field the leaf hash covers, so a client can recompute the leaf. */
export type EntryView = Omit<AuditEntry, 'occurredAt' | 'recordedAt'> & {
  /** ISO 8601, millisecond precision (what the leaf hash covers). */
  occurredAt: string;
  recordedAt: string;
  /** Hex; recompute it from the fields, never trust it. */
  leafHash: string;
};

export function toEntryView(entry: StoredAuditEntry): EntryView {
  return { ...entry, occurredAt: entry.occurredAt.toISOString(), recordedAt: entry.recordedAt.toISOString(), leafHash: toHex(entry.leafHash) };
}

export function fromEntryView(view: EntryView): StoredAuditEntry {
  return { ...view, occurredAt: new Date(view.occurredAt), recordedAt: new Date(view.recordedAt), fields: [...view.fields], leafHash: fromHex(view.leafHash) };
}
