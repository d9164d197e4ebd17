import { Inject, Injectable } from '@nestjs/common';
import { quoteIdent } from '@crm/eventstore';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import type { ConsentState } from './consent.decider.js';
import { CONSENT_SCHEMA } from './consent.streams.js';

export interface ConsentStateRow {
  contactId: string;
  version: bigint;
  state: ConsentState;
  updatedAt: Date;
}

type Db = Pick<Pool | PoolClient, 'query'>;

/** The consent state rows (`consent_states`): read for answers, locked for decisions, written with every event. */
@Injectable()
export class ConsentStates {
  readonly #table = `${quoteIdent(CONSENT_SCHEMA)}.consent_states`;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async byId(contactId: string, db: Db = this.pool): Promise<ConsentStateRow | undefined> {
    const { rows } = await db.query(`SELECT contact_id, version, state, updated_at FROM ${this.#table} WHERE contact_id = $1`, [contactId]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** The rows of these contacts, locked until the transaction ends (concurrent commands on a contact queue here). */
  async byIdsForUpdate(tx: PoolClient, contactIds: readonly string[]): Promise<Map<string, ConsentStateRow>> {
    const { rows } = await tx.query(
      `SELECT contact_id, version, state, updated_at FROM ${this.#table} WHERE contact_id = ANY($1::uuid[]) ORDER BY contact_id FOR UPDATE`,
      [contactIds],
    );
    return new Map(rows.map((row) => [row.contact_id as string, toRow(row)]));
  }

  /** Writes the new states of a commit group in one statement. */
  async saveMany(tx: PoolClient, states: ReadonlyArray<{ contactId: string; version: bigint; state: ConsentState; at: Date }>): Promise<void> {
    if (states.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.#table} (contact_id, version, state, created_at, updated_at)
       SELECT id, version, state, at, at FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[], $4::timestamptz[]) AS t(id, version, state, at)
       ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [states.map((s) => s.contactId), states.map((s) => s.version.toString()), states.map((s) => JSON.stringify(s.state)), states.map((s) => s.at)],
    );
  }
}

function toRow(row: Record<string, unknown>): ConsentStateRow {
  return { contactId: row.contact_id as string, version: BigInt(row.version as string), state: row.state as ConsentState, updatedAt: row.updated_at as Date };
}
