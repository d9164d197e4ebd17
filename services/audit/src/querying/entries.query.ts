import { Injectable } from '@nestjs/common';
import { auditError } from '../audit.errors.js';
import { AuditRuntime } from '../audit.runtime.js';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import { ENTRY_COLUMNS, fromRow, type EntryRow } from '../trail/entries.store.js';

export interface EntryFilters {
  subjectId?: string;
  actorId?: string;
  action?: string;
  purpose?: string;
  /** occurred_at ≥ from */
  from?: Date;
  /** occurred_at < to */
  to?: Date;
}

export interface EntryPage {
  entries: StoredAuditEntry[];
  nextCursor: string | null;
}

/**
 * Keyset paging in log order: the cursor is the last leaf index seen, so page 10,000 costs what page 1 costs
 * (an OFFSET would rescan everything before it). Each filter has an index ending in leaf_index.
 * The cursor is opaque to clients (`v1.<leaf index>` base64url) so its form can change.
 */
@Injectable()
export class EntriesQuery {
  constructor(private readonly runtime: AuditRuntime) {}

  async page(filters: EntryFilters, limit: number, cursor: string | undefined): Promise<EntryPage> {
    const after = cursor === undefined ? -1 : decodeCursor(cursor);
    const { where, params } = whereClause(filters);
    params.push(String(after), limit + 1);
    const { rows } = await this.runtime.store.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.runtime.store.s}.entries e
       WHERE ${[...where, `e.leaf_index > $${params.length - 1}`].join(' AND ')}
       ORDER BY e.leaf_index LIMIT $${params.length}`,
      params,
    );
    const entries = rows.slice(0, limit).map(fromRow);
    return { entries, nextCursor: rows.length > limit ? encodeCursor(entries.at(-1)!.leafIndex) : null };
  }

  /** Everything recorded about one data subject, in the order it happened (ties in log order). */
  async subjectHistory(subjectId: string, max: number): Promise<{ entries: StoredAuditEntry[]; truncated: boolean }> {
    const { rows } = await this.runtime.store.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.runtime.store.s}.entries e WHERE e.subject_id = $1 AND e.subject_id <> '' ORDER BY e.occurred_at, e.leaf_index LIMIT $2`,
      [subjectId, max + 1],
    );
    return { entries: rows.slice(0, max).map(fromRow), truncated: rows.length > max };
  }
}

function whereClause(filters: EntryFilters): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filters.subjectId !== undefined) add((p) => `subject_id = ${p} AND subject_id <> ''`, filters.subjectId);
  if (filters.actorId !== undefined) add((p) => `actor_id = ${p}`, filters.actorId);
  if (filters.action !== undefined) add((p) => `action = ${p}`, filters.action);
  if (filters.purpose !== undefined) add((p) => `purpose = ${p}`, filters.purpose);
  if (filters.from !== undefined) add((p) => `occurred_at >= ${p}`, filters.from);
  if (filters.to !== undefined) add((p) => `occurred_at < ${p}`, filters.to);
  return { where, params };
}

export function encodeCursor(leafIndex: number): string {
  return Buffer.from(`v1.${leafIndex}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^v1\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw auditError('AUDIT_CURSOR_INVALID', 'the cursor was not issued by this service');
  return Number(match[1]);
}
