import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool } from '@crm/postgres';

export interface SnapshotRunView {
  id: string;
  type: 'full' | 'diff';
  trigger: 'schedule' | 'manual' | 'drill';
  requestedBy: string | null;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** Primary end offsets per platform topic (decimal strings per partition) recorded before the backup started. */
  kafkaOffsets: Record<string, string[]>;
  /** pgBackRest's label, the snapshot id `npm run restore -- --from` takes. */
  label: string | null;
  sizeBytes: number | null;
  repositoryDeltaBytes: number | null;
  walStart: string | null;
  walStop: string | null;
  verified: boolean | null;
  errorCode: string | null;
}

interface Row {
  id: string;
  type: 'full' | 'diff';
  trigger: 'schedule' | 'manual' | 'drill';
  requested_by: string | null;
  status: 'running' | 'completed' | 'failed';
  started_at: Date;
  finished_at: Date | null;
  kafka_offsets: Record<string, string[]>;
  label: string | null;
  size_bytes: string | null;
  repository_delta_bytes: string | null;
  wal_start: string | null;
  wal_stop: string | null;
  verified: boolean | null;
  error_code: string | null;
}

const view = (row: Row): SnapshotRunView => ({
  id: row.id,
  type: row.type,
  trigger: row.trigger,
  requestedBy: row.requested_by,
  status: row.status,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  kafkaOffsets: row.kafka_offsets,
  label: row.label,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  repositoryDeltaBytes: row.repository_delta_bytes === null ? null : Number(row.repository_delta_bytes),
  walStart: row.wal_start,
  walStop: row.wal_stop,
  verified: row.verified,
  errorCode: row.error_code,
});

/** The snapshot runs table (snapshot.schema.ts). */
@Injectable()
export class SnapshotRuns {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async started(run: {
    id: string;
    type: 'full' | 'diff';
    trigger: SnapshotRunView['trigger'];
    requestedBy: string | null;
    at: Date;
    kafkaOffsets: Record<string, string[]>;
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO snapshot_runs (id, type, trigger, requested_by, status, started_at, kafka_offsets) VALUES ($1, $2, $3, $4, 'running', $5, $6)`,
      [run.id, run.type, run.trigger, run.requestedBy, run.at, JSON.stringify(run.kafkaOffsets)],
    );
  }

  async completed(
    id: string,
    at: Date,
    outcome: { label: string; sizeBytes: number; repositoryDeltaBytes: number; walStart: string; walStop: string; verified: boolean },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE snapshot_runs SET status = 'completed', finished_at = $2, label = $3, size_bytes = $4, repository_delta_bytes = $5,
              wal_start = $6, wal_stop = $7, verified = $8 WHERE id = $1`,
      [id, at, outcome.label, outcome.sizeBytes, outcome.repositoryDeltaBytes, outcome.walStart, outcome.walStop, outcome.verified],
    );
  }

  async failed(id: string, at: Date, errorCode: string): Promise<void> {
    await this.pool.query(`UPDATE snapshot_runs SET status = 'failed', finished_at = $2, error_code = $3 WHERE id = $1`, [id, at, errorCode]);
  }

  async byId(id: string): Promise<SnapshotRunView | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM snapshot_runs WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : view(rows[0]);
  }

  async latest(limit: number): Promise<SnapshotRunView[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM snapshot_runs ORDER BY started_at DESC LIMIT $1`, [limit]);
    return rows.map(view);
  }
}
