import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { toEntryView, type EntryView } from '../trail/entry.view.js';
import type { TreeHeadView } from '../tree-heads/tree-head.codec.js';
import { escapeHtml, htmlDocument, htmlTable } from './html.js';

export interface SubjectReport {
  subjectId: string;
  generatedAt: string;
  entryCount: number;
  /** More entries exist than one report holds; page the rest with `GET /v1/audit/entries?subjectId=`. */
  truncated: boolean;
  firstOccurredAt: string | null;
  lastOccurredAt: string | null;
  actions: Array<{ action: string; count: number }>;
  purposes: Array<{ purpose: string; legalBases: string[]; count: number }>;
  actors: Array<{ actorId: string; actorType: string; count: number }>;
  fieldsTouched: string[];
  /** The head the entries can be proven against (`GET /v1/audit/entries/{eventId}/proof`). */
  treeHead: TreeHeadView | null;
  entries: EntryView[];
}

/** Pure: the report over a subject's entries (in the order they happened). */
export function buildSubjectReport(
  subjectId: string,
  entries: readonly StoredAuditEntry[],
  truncated: boolean,
  treeHead: TreeHeadView | null,
  now: Date,
): SubjectReport {
  const actions = new Map<string, number>();
  const purposes = new Map<string, { legalBases: Set<string>; count: number }>();
  const actors = new Map<string, { actorId: string; actorType: string; count: number }>();
  const fields = new Set<string>();
  for (const entry of entries) {
    actions.set(entry.action, (actions.get(entry.action) ?? 0) + 1);
    const purpose = purposes.get(entry.purpose) ?? { legalBases: new Set<string>(), count: 0 };
    purpose.legalBases.add(entry.legalBasis);
    purpose.count++;
    purposes.set(entry.purpose, purpose);
    const actorKey = `${entry.actorType}:${entry.actorId}`;
    const actor = actors.get(actorKey) ?? { actorId: entry.actorId, actorType: entry.actorType, count: 0 };
    actor.count++;
    actors.set(actorKey, actor);
    for (const field of entry.fields) fields.add(field);
  }
  return {
    subjectId,
    generatedAt: now.toISOString(),
    entryCount: entries.length,
    truncated,
    firstOccurredAt: entries[0]?.occurredAt.toISOString() ?? null,
    lastOccurredAt: entries.at(-1)?.occurredAt.toISOString() ?? null,
    actions: [...actions].map(([action, count]) => ({ action, count })).sort((a, b) => b.count - a.count || a.action.localeCompare(b.action)),
    purposes: [...purposes]
      .map(([purpose, { legalBases, count }]) => ({ purpose, legalBases: [...legalBases].sort(), count }))
      .sort((a, b) => b.count - a.count),
    actors: [...actors.values()].sort((a, b) => b.count - a.count || a.actorId.localeCompare(b.actorId)),
    fieldsTouched: [...fields].sort(),
    treeHead,
    entries: entries.map(toEntryView),
  };
}

/** Short, readable action names: `crm.contacts.v1.ContactRectified` → `ContactRectified` (full name in the title). */
function shortAction(action: string): string {
  return action.split('.').at(-1) ?? action;
}

/** The report as a printable page. Every value is escaped: ids and codes come from events, i.e. from producers. */
export function renderSubjectReportHtml(report: SubjectReport): string {
  const e = escapeHtml;
  const head = report.treeHead;
  const rows = report.entries.map((entry) => [
    e(entry.occurredAt),
    `<span title="${e(entry.action)}">${e(shortAction(entry.action))}</span>`,
    `${e(entry.actorType)}<br><code>${e(entry.actorId)}</code>`,
    e(entry.purpose),
    e(entry.legalBasis),
    e(entry.fields.join(', ')),
    `<code>${e(entry.correlationId)}</code>`,
    `${e(String(entry.leafIndex))}<br><code>${e(entry.eventId)}</code>`,
  ]);
  const body = `
<h1>Processing of personal data: data subject report</h1>
<p class="meta">Data subject <code>${e(report.subjectId)}</code> · generated ${e(report.generatedAt)} · ${e(String(report.entryCount))} recorded event(s)
${report.firstOccurredAt === null ? '' : ` from ${e(report.firstOccurredAt)} to ${e(report.lastOccurredAt ?? '')}`}</p>
${report.truncated ? '<p class="flag">This report is truncated; the complete list is available through the audit API.</p>' : ''}
<p>Every processing of this person's data recorded on the platform, in the order it happened: who (actor), what (action and the data
fields touched), why (purpose and legal basis). The trail holds identifiers only, never the personal data itself, so it remains
complete after the person's data has been erased.</p>
<h2>Purposes and legal bases</h2>
${htmlTable(
  ['Purpose', 'Legal basis', 'Events'],
  report.purposes.map((p) => [e(p.purpose), e(p.legalBases.join(', ')), e(String(p.count))]),
)}
<h2>Who processed the data</h2>
${htmlTable(
  ['Actor type', 'Actor id', 'Events'],
  report.actors.map((a) => [e(a.actorType), `<code>${e(a.actorId)}</code>`, e(String(a.count))]),
)}
<h2>Data fields touched</h2>
<p>${report.fieldsTouched.length === 0 ? 'None recorded.' : e(report.fieldsTouched.join(', '))}</p>
<h2>Events</h2>
${htmlTable(['Occurred at (UTC)', 'Action', 'Actor', 'Purpose', 'Legal basis', 'Fields', 'Correlation id', 'Leaf index / event id'], rows)}
<h2>Integrity</h2>
<p>${
    head === null
      ? 'No signed tree head was available when this report was generated.'
      : `Entries with a leaf index below ${e(String(head.treeSize))} are covered by the signed tree head of ${e(head.timestamp)}: root
<code>${e(head.rootHash)}</code>, key <code>${e(head.keyId)}</code>, log <code>${e(head.logId)}</code>. An inclusion proof for any entry is
available at <code>GET /v1/audit/entries/{event id}/proof</code>; the whole log can be checked with the audit verifier (docs/audit.md).`
  }</p>`;
  return htmlDocument(`Data subject report ${report.subjectId}`, body);
}
