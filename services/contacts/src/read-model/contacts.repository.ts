import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { CONTACTS_SCHEMA, type SearchIndex } from '../contacts/contact.streams.js';

export interface ContactRow {
  contact_id: string;
  version: string;
  restricted: boolean;
  restriction_reason: string | null;
  record_sealed: Buffer;
  transaction_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface TransactionRow {
  transaction_id: string;
  amount_cents: string;
  currency: string;
  details_sealed: Buffer;
  recorded_at: Date;
}

export interface SearchToken {
  index: SearchIndex;
  token: string;
}

/** A search: every given criterion must match (e-mail AND phone AND every name token). */
export interface SearchCriteria {
  email?: string;
  phone?: string;
  nameTokens?: readonly string[];
}

type Db = Pool | PoolClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SQL of the contacts read model. Writes take the caller's transaction: they commit with the events they reflect. */
@Injectable()
export class ContactsRepository {
  readonly #s = CONTACTS_SCHEMA;

  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  static isContactId(value: string): boolean {
    return UUID.test(value);
  }

  /** `forUpdate` locks the row until the transaction ends: it is the contact's decision state (see ContactCommands). */
  async byId(contactId: string, db: Db = this.pool, options: { forUpdate?: boolean } = {}): Promise<ContactRow | undefined> {
    const lock = options.forUpdate === true ? ' FOR UPDATE' : '';
    const { rows } = await db.query<ContactRow>(`SELECT * FROM ${this.#s}.contact_records WHERE contact_id = $1${lock}`, [contactId]);
    return rows[0];
  }

  async hasTransaction(db: Db, contactId: string, transactionId: string): Promise<boolean> {
    const { rows } = await db.query(`SELECT 1 FROM ${this.#s}.contact_transactions WHERE contact_id = $1 AND transaction_id = $2`, [contactId, transactionId]);
    return rows.length > 0;
  }

  async erasedAt(contactId: string, db: Db = this.pool): Promise<Date | undefined> {
    const { rows } = await db.query<{ erased_at: Date }>(`SELECT erased_at FROM ${this.#s}.erased_contacts WHERE contact_id = $1`, [contactId]);
    return rows[0]?.erased_at;
  }

  /**
   * The record and its search tokens in one statement (one round trip on the write path). The tokens that are no
   * longer the contact's are deleted and the new ones inserted; the two never touch the same row, so running them
   * as parts of one statement (which cannot see each other's effects) is exact.
   */
  async upsertRecord(db: PoolClient, row: Omit<ContactRow, 'transaction_count' | 'created_at'>, tokens: readonly SearchToken[] | undefined): Promise<void> {
    await db.query(
      `WITH record AS (
         INSERT INTO ${this.#s}.contact_records (contact_id, version, restricted, restriction_reason, record_sealed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, restricted = EXCLUDED.restricted,
           restriction_reason = EXCLUDED.restriction_reason, record_sealed = EXCLUDED.record_sealed, updated_at = EXCLUDED.updated_at
       ),
       wanted AS (SELECT * FROM unnest($7::text[], $8::text[]) AS t(index_name, token)),
       stale AS (
         DELETE FROM ${this.#s}.contact_search s
         WHERE $9 AND s.contact_id = $1 AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.index_name = s.index_name AND w.token = s.token)
       )
       INSERT INTO ${this.#s}.contact_search (index_name, token, contact_id)
       SELECT index_name, token, $1 FROM wanted WHERE $9 ON CONFLICT DO NOTHING`,
      [
        row.contact_id,
        row.version,
        row.restricted,
        row.restriction_reason,
        row.record_sealed,
        row.updated_at,
        (tokens ?? []).map((t) => t.index),
        (tokens ?? []).map((t) => t.token),
        tokens !== undefined,
      ],
    );
  }

  /** A change that leaves the personal data as it is (a restriction, a transaction): the version and flags only. */
  async touch(db: PoolClient, contactId: string, version: bigint, restricted: boolean, reason: string | null, at: Date): Promise<void> {
    await db.query(`UPDATE ${this.#s}.contact_records SET version = $2, restricted = $3, restriction_reason = $4, updated_at = $5 WHERE contact_id = $1`, [
      contactId,
      version.toString(),
      restricted,
      reason,
      at,
    ]);
  }

  async insertTransaction(db: PoolClient, contactId: string, transaction: Omit<TransactionRow, 'recorded_at'>, at: Date): Promise<void> {
    await db.query(
      `INSERT INTO ${this.#s}.contact_transactions (contact_id, transaction_id, amount_cents, currency, details_sealed, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [contactId, transaction.transaction_id, transaction.amount_cents, transaction.currency, transaction.details_sealed, at],
    );
    await db.query(`UPDATE ${this.#s}.contact_records SET transaction_count = transaction_count + 1 WHERE contact_id = $1`, [contactId]);
  }

  /** Newest first, keyset-paged: `before` is the (recorded_at, transaction_id) of the last row already seen. */
  async transactions(contactId: string, limit: number, before?: { recordedAt: Date; transactionId: string }): Promise<TransactionRow[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT transaction_id, amount_cents::text, currency, details_sealed, recorded_at FROM ${this.#s}.contact_transactions
       WHERE contact_id = $1 AND ($3::timestamptz IS NULL OR (recorded_at, transaction_id) < ($3::timestamptz, $4::uuid))
       ORDER BY recorded_at DESC, transaction_id DESC LIMIT $2`,
      [contactId, limit, before?.recordedAt ?? null, before?.transactionId ?? null],
    );
    return rows;
  }

  /** Keyset paging by id; with criteria, only contacts matching all of them. */
  async search(criteria: SearchCriteria, limit: number, after: string | undefined, tokens: (c: SearchCriteria) => SearchToken[]): Promise<ContactRow[]> {
    const wanted = tokens(criteria);
    if (wanted.length === 0) {
      const { rows } = await this.pool.query<ContactRow>(
        `SELECT * FROM ${this.#s}.contact_records WHERE ($1::uuid IS NULL OR contact_id > $1::uuid) ORDER BY contact_id LIMIT $2`,
        [after ?? null, limit],
      );
      return rows;
    }
    const { rows } = await this.pool.query<ContactRow>(
      `SELECT r.* FROM ${this.#s}.contact_records r
       JOIN (SELECT contact_id FROM ${this.#s}.contact_search
             WHERE (index_name, token) IN (SELECT * FROM unnest($1::text[], $2::text[]))
             GROUP BY contact_id HAVING count(*) = $3) m USING (contact_id)
       WHERE ($4::uuid IS NULL OR r.contact_id > $4::uuid) ORDER BY r.contact_id LIMIT $5`,
      [wanted.map((t) => t.index), wanted.map((t) => t.token), wanted.length, after ?? null, limit],
    );
    return rows;
  }

  /** What an export may hold: never a restricted contact (Art. 18), and erased ones have no row left. */
  async exportable(ids: readonly string[] | undefined, limit: number): Promise<ContactRow[]> {
    const { rows } = await this.pool.query<ContactRow>(
      `SELECT * FROM ${this.#s}.contact_records WHERE NOT restricted AND ($1::uuid[] IS NULL OR contact_id = ANY($1::uuid[])) ORDER BY contact_id LIMIT $2`,
      [ids ?? null, limit],
    );
    return rows;
  }

  /** Erasure: the record and its tokens go (cascade), a PII-free tombstone stays; purchases go by `purgeTransactions`. */
  async purge(db: PoolClient, contactId: string, erasedAt: Date): Promise<void> {
    await db.query(`DELETE FROM ${this.#s}.contact_records WHERE contact_id = $1`, [contactId]);
    await db.query(`INSERT INTO ${this.#s}.erased_contacts (contact_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [contactId, erasedAt]);
  }

  /**
   * Deletes the purchases of erased contacts (of one, or of all), a thousand rows per statement so no lock is held
   * long. Called after an erasure, at start for any left by a crash in between, and after a rebuild.
   */
  async purgeErasedTransactions(contactId?: string): Promise<void> {
    for (;;) {
      const { rowCount } = await this.pool.query(
        `DELETE FROM ${this.#s}.contact_transactions WHERE ctid IN (
           SELECT t.ctid FROM ${this.#s}.contact_transactions t JOIN ${this.#s}.erased_contacts e USING (contact_id)
           WHERE $1::uuid IS NULL OR t.contact_id = $1::uuid LIMIT 1000)`,
        [contactId ?? null],
      );
      if ((rowCount ?? 0) < 1000) return;
    }
  }

  /** Empties the read model for a rebuild from the event store. */
  async truncate(db: PoolClient): Promise<void> {
    await db.query(`TRUNCATE ${this.#s}.contact_search, ${this.#s}.contact_transactions, ${this.#s}.contact_records, ${this.#s}.erased_contacts`);
  }
}
