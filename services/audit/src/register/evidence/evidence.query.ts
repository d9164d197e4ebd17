import { Injectable } from '@nestjs/common';
import { AuditRuntime } from '../../audit.runtime.js';

export interface PurposeEvidence {
  events: number;
  distinctSubjects: number;
  lastProcessedAt: string | null;
  /** Legal bases the events actually stated, with counts. */
  legalBases: Array<{ legalBasis: string; events: number }>;
}

/**
 * What the audit trail shows was done under given purposes. Every query is driven by the (purpose, leaf_index)
 * index; the distinct purposes come from a loose index scan (one index probe per distinct purpose), so neither
 * grows with the number of entries beyond the matching rows.
 */
@Injectable()
export class EvidenceQuery {
  constructor(private readonly runtime: AuditRuntime) {}

  async forPurposes(purposes: readonly string[]): Promise<PurposeEvidence> {
    const s = this.runtime.store.s;
    const pool = this.runtime.store.pool;
    const [totals, bases] = await Promise.all([
      pool.query<{ events: string; subjects: string; last: Date | null }>(
        `SELECT count(*)::text AS events, count(DISTINCT subject_id) FILTER (WHERE subject_id <> '')::text AS subjects, max(occurred_at) AS last
         FROM ${s}.entries WHERE purpose = ANY($1)`,
        [purposes],
      ),
      pool.query<{ legal_basis: string; events: string }>(
        `SELECT legal_basis, count(*)::text AS events FROM ${s}.entries WHERE purpose = ANY($1) GROUP BY legal_basis ORDER BY count(*) DESC, legal_basis`,
        [purposes],
      ),
    ]);
    const row = totals.rows[0]!;
    return {
      events: Number(row.events),
      distinctSubjects: Number(row.subjects),
      lastProcessedAt: row.last?.toISOString() ?? null,
      legalBases: bases.rows.map((basis) => ({ legalBasis: basis.legal_basis, events: Number(basis.events) })),
    };
  }

  async purposesSeen(): Promise<string[]> {
    const s = this.runtime.store.s;
    const { rows } = await this.runtime.store.pool.query<{ purpose: string }>(
      `WITH RECURSIVE seen AS (
         (SELECT purpose FROM ${s}.entries ORDER BY purpose LIMIT 1)
         UNION ALL
         SELECT (SELECT e.purpose FROM ${s}.entries e WHERE e.purpose > seen.purpose ORDER BY e.purpose LIMIT 1) FROM seen WHERE seen.purpose IS NOT NULL)
       SELECT purpose FROM seen WHERE purpose IS NOT NULL`,
    );
    return rows.map((row) => row.purpose);
  }
}
