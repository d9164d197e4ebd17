import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { CONTACTS_SCHEMA, type SearchIndex } from '../contacts/contact.streams.js';
import type { BasisRequirement } from '../lawful-basis/basis.decision.js';
import { basisCondition } from '../lawful-basis/basis.condition.js';

/** Which contacts a search or an export may return: the lawful-basis requirement of its purpose and basis. */
export interface BasisFilter {
  requirement: BasisRequirement;
  purpose: string;
  /** Restricted contacts (Art. 18) are left out unless the purpose may still read them (legal claims). */
  includeRestricted?: boolean;
}
const NO_BASIS_FILTER: BasisFilter = { requirement: { consent: false, noObjection: false }, purpose: '' };

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

/** What the write side stores of a contact's record (the count and creation time are the table's). */
export type RecordRow = Omit<ContactRow, 'transaction_count' | 'created_at'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SQL of the contacts read model. Writes take the caller's transaction: they commit with the events they reflect. */
@Injectable()
export class ContactsRepository {
  readonly #s = CONTACTS_SCHEMA;

  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  static isContactId(value: string): boolean {
    return UUID.test(value);
  }

  async byId(contactId: string, db: Db = this.pool): Promise<ContactRow | undefined> {
    const { rows } = await db.query<ContactRow>(`SELECT * FROM ${this.#s}.contact_records WHERE contact_id = $1`, [contactId]);
    return rows[0];
  }

  async erasedAt(contactId: string, db: Db = this.pool): Promise<Date | undefined> {
    const { rows } = await db.query<{ erased_at: Date }>(`SELECT erased_at FROM ${this.#s}.erased_contacts WHERE contact_id = $1`, [contactId]);
    return rows[0]?.erased_at;
  }

  /** Several contacts' rows, locked `FOR UPDATE` in id order (two groups locking overlapping sets cannot deadlock). */
  async byIdsForUpdate(db: PoolClient, contactIds: readonly string[]): Promise<Map<string, ContactRow>> {
    const { rows } = await db.query<ContactRow>(`SELECT * FROM ${this.#s}.contact_records WHERE contact_id = ANY($1::uuid[]) ORDER BY contact_id FOR UPDATE`, [
      contactIds,
    ]);
    return new Map(rows.map((row) => [row.contact_id, row]));
  }

  /** Which of these contacts are erased. */
  async erasedAmong(db: PoolClient, contactIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await db.query<{ contact_id: string }>(`SELECT contact_id FROM ${this.#s}.erased_contacts WHERE contact_id = ANY($1::uuid[])`, [
      contactIds,
    ]);
    return new Set(rows.map((row) => row.contact_id));
  }

  /** Which of these (contact, transaction) pairs are stored already, as `contactId/transactionId`. */
  async transactionsAmong(db: PoolClient, pairs: ReadonlyArray<{ contactId: string; transactionId: string }>): Promise<Set<string>> {
    const { rows } = await db.query<{ contact_id: string; transaction_id: string }>(
      `SELECT t.contact_id, t.transaction_id FROM ${this.#s}.contact_transactions t
       JOIN unnest($1::uuid[], $2::uuid[]) AS p(contact_id, transaction_id) USING (contact_id, transaction_id)`,
      [pairs.map((pair) => pair.contactId), pairs.map((pair) => pair.transactionId)],
    );
    return new Set(rows.map((row) => `${row.contact_id}/${row.transaction_id}`));
  }

  /**
   * Records and their search tokens, any number of contacts in one statement (one round trip for a commit group).
   * Each contact's tokens that are no longer its own are deleted and the new ones inserted; the two never touch the
   * same row, so running them as parts of one statement (which cannot see each other's effects) is exact.
   */
  async upsertRecords(db: PoolClient, records: ReadonlyArray<{ row: RecordRow; tokens: readonly SearchToken[] }>): Promise<void> {
    if (records.length === 0) return;
    const tokens = records.flatMap(({ row, tokens }) => tokens.map((token) => ({ contactId: row.contact_id, ...token })));
    await db.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::boolean[], $4::text[], $5::bytea[], $6::timestamptz[])
           AS t(contact_id, version, restricted, restriction_reason, record_sealed, at)
       ),
       record AS (
         INSERT INTO ${this.#s}.contact_records (contact_id, version, restricted, restriction_reason, record_sealed, created_at, updated_at)
         SELECT contact_id, version, restricted, restriction_reason, record_sealed, at, at FROM input
         ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, restricted = EXCLUDED.restricted,
           restriction_reason = EXCLUDED.restriction_reason, record_sealed = EXCLUDED.record_sealed, updated_at = EXCLUDED.updated_at
       ),
       wanted AS (SELECT * FROM unnest($7::uuid[], $8::text[], $9::text[]) AS t(contact_id, index_name, token)),
       stale AS (
         DELETE FROM ${this.#s}.contact_search s USING input i
         WHERE s.contact_id = i.contact_id
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.contact_id = s.contact_id AND w.index_name = s.index_name AND w.token = s.token)
       )
       INSERT INTO ${this.#s}.contact_search (index_name, token, contact_id)
       SELECT index_name, token, contact_id FROM wanted ON CONFLICT DO NOTHING`,
      [
        records.map(({ row }) => row.contact_id),
        records.map(({ row }) => row.version),
        records.map(({ row }) => row.restricted),
        records.map(({ row }) => row.restriction_reason),
        records.map(({ row }) => row.record_sealed),
        records.map(({ row }) => row.updated_at),
        tokens.map((token) => token.contactId),
        tokens.map((token) => token.index),
        tokens.map((token) => token.token),
      ],
    );
  }

  /** Changes that leave the personal data as it is (a restriction, a transaction): version and flags only. */
  async touchMany(
    db: PoolClient,
    touches: ReadonlyArray<{ contactId: string; version: bigint; restricted: boolean; reason: string | null; at: Date }>,
  ): Promise<void> {
    if (touches.length === 0) return;
    await db.query(
      `UPDATE ${this.#s}.contact_records c SET version = t.version, restricted = t.restricted, restriction_reason = t.reason, updated_at = t.at
       FROM unnest($1::uuid[], $2::bigint[], $3::boolean[], $4::text[], $5::timestamptz[]) AS t(contact_id, version, restricted, reason, at)
       WHERE c.contact_id = t.contact_id`,
      [
        touches.map((touch) => touch.contactId),
        touches.map((touch) => touch.version.toString()),
        touches.map((touch) => touch.restricted),
        touches.map((touch) => touch.reason),
        touches.map((touch) => touch.at),
      ],
    );
  }

  /** Transactions of any contacts, and each contact's count, in one statement. */
  async insertTransactions(
    db: PoolClient,
    transactions: ReadonlyArray<{ contactId: string; row: Omit<TransactionRow, 'recorded_at'>; at: Date }>,
  ): Promise<void> {
    if (transactions.length === 0) return;
    await db.query(
      `WITH inserted AS (
         INSERT INTO ${this.#s}.contact_transactions (contact_id, transaction_id, amount_cents, currency, details_sealed, recorded_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::bytea[], $6::timestamptz[])
         RETURNING contact_id
       )
       UPDATE ${this.#s}.contact_records c SET transaction_count = c.transaction_count + n.added
       FROM (SELECT contact_id, count(*)::int AS added FROM inserted GROUP BY contact_id) n
       WHERE c.contact_id = n.contact_id`,
      [
        transactions.map((t) => t.contactId),
        transactions.map((t) => t.row.transaction_id),
        transactions.map((t) => t.row.amount_cents),
        transactions.map((t) => t.row.currency),
        transactions.map((t) => t.row.details_sealed),
        transactions.map((t) => t.at),
      ],
    );
  }

  async transactions(contactId: string, limit: number, before?: { recordedAt: Date; transactionId: string }): Promise<TransactionRow[]> {
    const { rows } = await this.pool.query<TransactionRow>(
      `SELECT transaction_id, amount_cents::text, currency, details_sealed, recorded_at FROM ${this.#s}.contact_transactions
       WHERE contact_id = $1 AND ($3::timestamptz IS NULL OR (recorded_at, transaction_id) < ($3::timestamptz, $4::uuid))
       ORDER BY recorded_at DESC, transaction_id DESC LIMIT $2`,
      [contactId, limit, before?.recordedAt ?? null, before?.transactionId ?? null],
    );
    return rows;
  }

  /** Keyset paging by id; with criteria, only contacts matching all of them; restricted ones only if the filter says so. */
  async search(
    criteria: SearchCriteria,
    limit: number,
    after: string | undefined,
    tokens: (c: SearchCriteria) => SearchToken[],
    basis: BasisFilter = NO_BASIS_FILTER,
  ): Promise<ContactRow[]> {
    const wanted = tokens(criteria);
    if (wanted.length === 0) {
      const { rows } = await this.pool.query<ContactRow>(
        `SELECT r.* FROM ${this.#s}.contact_records r
         WHERE ($1::uuid IS NULL OR r.contact_id > $1::uuid) AND ${basisCondition(basis.requirement, '$3')} AND (NOT r.restricted OR $4::boolean)
         ORDER BY r.contact_id LIMIT $2`,
        [after ?? null, limit, basis.purpose, basis.includeRestricted === true],
      );
      return rows;
    }
    const { rows } = await this.pool.query<ContactRow>(
      `SELECT r.* FROM ${this.#s}.contact_records r
       JOIN (SELECT contact_id FROM ${this.#s}.contact_search
             WHERE (index_name, token) IN (SELECT * FROM unnest($1::text[], $2::text[]))
             GROUP BY contact_id HAVING count(*) = $3) m USING (contact_id)
       WHERE ($4::uuid IS NULL OR r.contact_id > $4::uuid) AND ${basisCondition(basis.requirement, '$6')} AND (NOT r.restricted OR $7::boolean)
       ORDER BY r.contact_id LIMIT $5`,
      [wanted.map((t) => t.index), wanted.map((t) => t.token), wanted.length, after ?? null, limit, basis.purpose, basis.includeRestricted === true],
    );
    return rows;
  }

  /**
   * What an export may hold: never a restricted contact (Art. 18), never one whose lawful basis for the purpose is
   * missing (no consent in force, an objection), and erased ones have no row left.
   */
  async exportable(ids: readonly string[] | undefined, limit: number, basis: BasisFilter = NO_BASIS_FILTER): Promise<ContactRow[]> {
    const { rows } = await this.pool.query<ContactRow>(
      `SELECT r.* FROM ${this.#s}.contact_records r
       WHERE NOT r.restricted AND ($1::uuid[] IS NULL OR r.contact_id = ANY($1::uuid[])) AND ${basisCondition(basis.requirement, '$3')}
       ORDER BY r.contact_id LIMIT $2`,
      [ids ?? null, limit, basis.purpose],
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

  /** One contact's rows, all of them (record, search tokens by cascade, purchases), before they are refolded from its events. */
  async forget(db: PoolClient, contactId: string): Promise<void> {
    await db.query(`DELETE FROM ${this.#s}.contact_transactions WHERE contact_id = $1`, [contactId]);
    await db.query(`DELETE FROM ${this.#s}.contact_records WHERE contact_id = $1`, [contactId]);
  }

  /** Empties the read model for a rebuild from the event store. */
  async truncate(db: PoolClient): Promise<void> {
    await db.query(`TRUNCATE ${this.#s}.contact_search, ${this.#s}.contact_transactions, ${this.#s}.contact_records, ${this.#s}.erased_contacts`);
  }
}
