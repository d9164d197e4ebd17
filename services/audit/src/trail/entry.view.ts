import { fromHex, toHex } from '@crm/merkle';
import type { StoredAuditEntry } from './audit-entry.model.js';

/** An audit entry as the API serves it: every field the leaf hash covers, so a client can recompute the leaf. */
export interface EntryView {
  leafIndex: number;
  eventId: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  actorType: string;
  action: string;
  subjectId: string;
  fields: string[];
  purpose: string;
  legalBasis: string;
  correlationId: string;
  causationId: string;
  payloadType: string;
  envelopeSha256: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  leafHash: string;
}

export function toEntryView(entry: StoredAuditEntry): EntryView {
  return { ...entry, occurredAt: entry.occurredAt.toISOString(), recordedAt: entry.recordedAt.toISOString(), leafHash: toHex(entry.leafHash) };
}

export function fromEntryView(view: EntryView): StoredAuditEntry {
  return { ...view, occurredAt: new Date(view.occurredAt), recordedAt: new Date(view.recordedAt), fields: [...view.fields], leafHash: fromHex(view.leafHash) };
}
