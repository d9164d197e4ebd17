import { Inject, Injectable } from '@nestjs/common';
import { quoteIdent } from '@crm/eventstore';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';
import { dueSoonHorizon } from './request.deadlines.js';
import { OPEN_STATUSES, type FiledRequest } from './request.decider.js';

export interface RequestStateRow {
  requestId: string;
  version: bigint;
  state: FiledRequest;
}

/** What the desk lists: requests still open, those of them due within the due-soon window, or those past due. */
export type RequestListFilter = 'open' | 'due-soon' | 'overdue';

type Db = Pick<Pool | PoolClient, 'query'>;
const COLUMNS = 'request_id, version, state';
const OPEN = `status = ANY('{${OPEN_STATUSES.join(',')}}'::text[])`;

/** The data-subject request state rows (`subject_request_states`): read for answers, locked for decisions. */
@Injectable()
export class RequestStates {
  readonly #table = `${quoteIdent(CONSENT_SCHEMA)}.subject_request_states`;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async byId(requestId: string, db: Db = this.pool): Promise<RequestStateRow | undefined> {
    const { rows } = await db.query(`SELECT ${COLUMNS} FROM ${this.#table} WHERE request_id = $1`, [requestId]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** The request's row, locked until the transaction ends (commands on one request queue here). */
  async byIdForUpdate(tx: PoolClient, requestId: string): Promise<RequestStateRow | undefined> {
    const { rows } = await tx.query(`SELECT ${COLUMNS} FROM ${this.#table} WHERE request_id = $1 FOR UPDATE`, [requestId]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async save(tx: PoolClient, version: bigint, state: FiledRequest, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.#table} (request_id, contact_id, version, status, due_at, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (request_id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, due_at = EXCLUDED.due_at, state = EXCLUDED.state,
         updated_at = EXCLUDED.updated_at`,
      [state.requestId, state.contactId, version.toString(), state.status, state.dueAt, JSON.stringify(state), at],
    );
  }

  /** Open requests by filter at `now` (the service's clock), soonest due first. */
  async list(filter: RequestListFilter, now: Date, limit: number): Promise<RequestStateRow[]> {
    const where = {
      open: `${OPEN}`,
      'due-soon': `${OPEN} AND due_at >= $1 AND due_at <= $2`,
      overdue: `${OPEN} AND due_at < $1`,
    }[filter];
    const { rows } = await this.pool.query(
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE ${where} AND $1::timestamptz IS NOT NULL AND $2::timestamptz IS NOT NULL ORDER BY due_at, request_id LIMIT $3`,
      [now, dueSoonHorizon(now.toISOString()), limit],
    );
    return rows.map(toRow);
  }

  /** Open requests whose due date is before the due-soon horizon of `now`: the deadline job's work list. */
  async dueBy(now: Date, limit: number): Promise<Array<{ requestId: string; contactId: string }>> {
    const { rows } = await this.pool.query(
      `SELECT request_id, contact_id FROM ${this.#table} WHERE ${OPEN} AND due_at <= $1 ORDER BY due_at, request_id LIMIT $2`,
      [dueSoonHorizon(now.toISOString()), limit],
    );
    return rows.map((row) => ({ requestId: row.request_id as string, contactId: row.contact_id as string }));
  }
}

function toRow(row: Record<string, unknown>): RequestStateRow {
  return { requestId: row.request_id as string, version: BigInt(row.version as string), state: row.state as FiledRequest };
}
