import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool } from '@crm/postgres';

/** What a drill measured (drill.runner.ts); no personal data. */
export interface DrillFigures {
  rtoSeconds: number;
  rpoSeconds: number;
  streamsCompared: number;
  streamsDiffering: number;
  /** Events the live stores hold that the restore point does not (written since). */
  liveEventsNewer: number;
  erasedSubjectsChecked: number;
  erasedSubjectsReadable: number;
  erasuresAppliedAgain: number;
  auditEntries: number;
  auditVerified: boolean;
  auditProblems: string[];
  /** Read-model tables whose rows hash alike in the copy and in live, and those that differ (live moved on). */
  readModelTablesEqual: number;
  readModelTablesDiffering: string[];
}

export interface DrillRunView {
  id: string;
  trigger: 'schedule' | 'manual';
  requestedBy: string | null;
  status: 'running' | 'passed' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  snapshotLabel: string | null;
  failures: string[];
  figures: DrillFigures | null;
}

interface Row {
  id: string;
  trigger: DrillRunView['trigger'];
  requested_by: string | null;
  status: DrillRunView['status'];
  started_at: Date;
  finished_at: Date | null;
  snapshot_label: string | null;
  failures: string[];
  figures: DrillFigures | null;
}

const view = (row: Row): DrillRunView => ({
  id: row.id,
  trigger: row.trigger,
  requestedBy: row.requested_by,
  status: row.status,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  snapshotLabel: row.snapshot_label,
  failures: row.failures,
  figures: row.figures,
});

/** The drill runs table (drill.schema.ts). */
@Injectable()
export class DrillRuns {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async started(run: { id: string; trigger: DrillRunView['trigger']; requestedBy: string | null; at: Date }): Promise<void> {
    await this.pool.query(`INSERT INTO drill_runs (id, trigger, requested_by, status, started_at) VALUES ($1, $2, $3, 'running', $4)`, [
      run.id,
      run.trigger,
      run.requestedBy,
      run.at,
    ]);
  }

  async finished(
    id: string,
    at: Date,
    outcome: { passed: boolean; snapshotLabel: string | null; failures: readonly string[]; figures: DrillFigures | null },
  ): Promise<void> {
    await this.pool.query(`UPDATE drill_runs SET status = $2, finished_at = $3, snapshot_label = $4, failures = $5, figures = $6 WHERE id = $1`, [
      id,
      outcome.passed ? 'passed' : 'failed',
      at,
      outcome.snapshotLabel,
      outcome.failures,
      outcome.figures === null ? null : JSON.stringify(outcome.figures),
    ]);
  }

  async byId(id: string): Promise<DrillRunView | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM drill_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : view(rows[0]);
  }

  async latest(limit: number): Promise<DrillRunView[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM drill_runs ORDER BY started_at DESC LIMIT $1`, [limit]);
    return rows.map(view);
  }
}
