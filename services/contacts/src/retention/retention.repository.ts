import { Inject, Injectable } from '@nestjs/common';
import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { quoteIdent } from '@crm/eventstore';
import type { RegisterActivity, RetentionFacts, RetentionPolicy, RetentionPolicyDocument } from './retention.decision.js';

type Db = Pool | PoolClient;

export interface StoredPolicy extends RetentionPolicy {
  recordedAt: Date;
}

export interface RunRow {
  run_id: string;
  status: 'running' | 'completed';
  started_at: Date;
  heartbeat_at: Date;
  finished_at: Date | null;
  cursor: string | null;
  applied: number;
  held: number;
  skipped: number;
}

interface FactsRow {
  contact_id: string;
  updated_at: Date;
  last_purchase: Date | null;
  last_consent: Date | null;
  withdrawn: Record<string, string> | null;
  held: boolean;
}

/** Retention's SQL: policies, holds, runs, the facts the decision reads, and the effects' bookkeeping. */
@Injectable()
export class RetentionRepository {
  readonly s = quoteIdent(CONTACTS_SCHEMA);

  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  async policies(db: Db = this.pool): Promise<StoredPolicy[]> {
    const { rows } = await db.query<{ policy_id: string; version: number; document: RetentionPolicyDocument; recorded_at: Date }>(
      `SELECT policy_id, version, document, recorded_at FROM ${this.s}.retention_policies ORDER BY policy_id`,
    );
    return rows.map((row) => ({ policyId: row.policy_id, version: row.version, document: row.document, recordedAt: row.recorded_at }));
  }

  /** The register's activities (or one), as the register-activities projector keeps them. */
  async activities(activityId?: string): Promise<RegisterActivity[]> {
    const { rows } = await this.pool.query<{ activity_id: string; version: number; status: 'draft' | 'approved'; document: Record<string, unknown> }>(
      `SELECT activity_id, version, status, document FROM ${this.s}.register_activities WHERE $1::uuid IS NULL OR activity_id = $1::uuid ORDER BY activity_id`,
      [activityId ?? null],
    );
    return rows.map((row) => ({
      activityId: row.activity_id,
      version: row.version,
      status: row.status,
      name: typeof row.document.name === 'string' ? row.document.name : '',
      purposes: Array.isArray(row.document.purposes) ? row.document.purposes.filter((purpose): purpose is string => typeof purpose === 'string') : [],
      retentionPeriod: typeof row.document.retentionPeriod === 'string' ? row.document.retentionPeriod : '',
    }));
  }

  async policyForUpdate(db: PoolClient, policyId: string): Promise<StoredPolicy | undefined> {
    const { rows } = await db.query<{ policy_id: string; version: number; document: RetentionPolicyDocument; recorded_at: Date }>(
      `SELECT policy_id, version, document, recorded_at FROM ${this.s}.retention_policies WHERE policy_id = $1 FOR UPDATE`,
      [policyId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { policyId: row.policy_id, version: row.version, document: row.document, recordedAt: row.recorded_at };
  }

  async savePolicy(db: PoolClient, policy: StoredPolicy): Promise<void> {
    await db.query(
      `INSERT INTO ${this.s}.retention_policies (policy_id, version, document, recorded_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (policy_id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document, recorded_at = EXCLUDED.recorded_at`,
      [policy.policyId, policy.version, JSON.stringify(policy.document), policy.recordedAt],
    );
  }

  /** Locks a live contact's record (holds and effects queue on it); false when it is absent or erased. */
  async lockContact(db: PoolClient, contactId: string): Promise<boolean> {
    const { rowCount } = await db.query(`SELECT 1 FROM ${this.s}.contact_records WHERE contact_id = $1 FOR UPDATE`, [contactId]);
    return (rowCount ?? 0) > 0;
  }

  async hold(contactId: string, db: Db = this.pool): Promise<{ reference: string; setAt: Date } | undefined> {
    const { rows } = await db.query<{ reference: string; set_at: Date }>(`SELECT reference, set_at FROM ${this.s}.legal_holds WHERE contact_id = $1`, [
      contactId,
    ]);
    return rows[0] === undefined ? undefined : { reference: rows[0].reference, setAt: rows[0].set_at };
  }

  async setHold(db: PoolClient, contactId: string, reference: string, at: Date): Promise<void> {
    await db.query(
      `INSERT INTO ${this.s}.legal_holds (contact_id, reference, set_at) VALUES ($1, $2, $3)
       ON CONFLICT (contact_id) DO UPDATE SET reference = EXCLUDED.reference, set_at = EXCLUDED.set_at`,
      [contactId, reference, at],
    );
  }

  async liftHold(db: PoolClient, contactId: string): Promise<boolean> {
    const { rowCount } = await db.query(`DELETE FROM ${this.s}.legal_holds WHERE contact_id = $1`, [contactId]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * The facts of a page of live contacts after `after` (contact id order), or of the given ones: last activity (the
   * record, its purchases, its consents and objections), last purchase, withdrawals per purpose, legal hold.
   */
  async facts(options: { after?: string; limit?: number; contactIds?: readonly string[] }, db: Db = this.pool): Promise<RetentionFacts[]> {
    const s = this.s;
    const where = options.contactIds === undefined ? `($1::uuid IS NULL OR r.contact_id > $1::uuid)` : `r.contact_id = ANY($1::uuid[])`;
    const { rows } = await db.query<FactsRow>(
      `SELECT r.contact_id, r.updated_at,
              (SELECT max(t.recorded_at) FROM ${s}.contact_transactions t WHERE t.contact_id = r.contact_id) AS last_purchase,
              (SELECT max(greatest(c.consent_changed_at, c.objected_at)) FROM ${s}.consent_states c WHERE c.contact_id = r.contact_id) AS last_consent,
              (SELECT jsonb_object_agg(c.purpose, c.consent_changed_at) FROM ${s}.consent_states c
                WHERE c.contact_id = r.contact_id AND NOT c.consent_in_force AND c.consent_changed_at IS NOT NULL) AS withdrawn,
              EXISTS (SELECT 1 FROM ${s}.legal_holds h WHERE h.contact_id = r.contact_id) AS held
       FROM ${s}.contact_records r
       WHERE ${where}
       ORDER BY r.contact_id
       LIMIT $2`,
      [options.contactIds === undefined ? (options.after ?? null) : [...options.contactIds], options.limit ?? options.contactIds?.length ?? 500],
    );
    return rows.map((row) => {
      const times = [row.updated_at, row.last_purchase, row.last_consent].filter((at): at is Date => at !== null);
      return {
        contactId: row.contact_id,
        lastActivityAt: new Date(Math.max(...times.map((at) => at.getTime()))),
        ...(row.last_purchase === null ? {} : { lastPurchaseAt: row.last_purchase }),
        consentWithdrawnAt: new Map(Object.entries(row.withdrawn ?? {}).map(([purpose, at]) => [purpose, new Date(at)])),
        legalHold: row.held,
      };
    });
  }

  /** Copies a contact's purchases as anonymous facts (random ids; no contact, no transaction id; the day only); how many. */
  async anonymisePurchases(db: PoolClient, contactId: string, policy: RetentionPolicy): Promise<number> {
    const { rowCount } = await db.query(
      `INSERT INTO ${this.s}.anonymised_purchases (policy_id, policy_version, category, amount_cents, currency, recorded_on)
       SELECT $2, $3, $4, amount_cents, currency, (recorded_at AT TIME ZONE 'UTC')::date FROM ${this.s}.contact_transactions WHERE contact_id = $1`,
      [contactId, policy.policyId, policy.version, policy.document.category],
    );
    return rowCount ?? 0;
  }

  /** Records an effect; false when this policy version was applied to the contact already (the idempotence key). */
  async recordApplied(
    db: PoolClient,
    effect: { policyId: string; version: number; contactId: string; runId: string; action: string; at: Date },
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO ${this.s}.retention_applied (policy_id, policy_version, contact_id, run_id, action, applied_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [effect.policyId, effect.version, effect.contactId, effect.runId, effect.action, effect.at],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Effects recorded whose contact is still live (a crash between the record and the erasure): the next run finishes them. */
  async unfinishedEffects(): Promise<Array<{ contactId: string; purpose: string }>> {
    const { rows } = await this.pool.query<{ contact_id: string; purpose: string }>(
      `SELECT DISTINCT ON (a.contact_id) a.contact_id, coalesce(p.document->>'purpose', 'data-protection-oversight') AS purpose
       FROM ${this.s}.retention_applied a
       JOIN ${this.s}.contact_records r USING (contact_id)
       LEFT JOIN ${this.s}.retention_policies p USING (policy_id)
       ORDER BY a.contact_id, a.applied_at`,
    );
    return rows.map((row) => ({ contactId: row.contact_id, purpose: row.purpose }));
  }

  async run(runId: string, db: Db = this.pool): Promise<RunRow | undefined> {
    const { rows } = await db.query<RunRow>(`SELECT * FROM ${this.s}.retention_runs WHERE run_id = $1`, [runId]);
    return rows[0];
  }

  async runningRun(db: Db = this.pool): Promise<RunRow | undefined> {
    const { rows } = await db.query<RunRow>(`SELECT * FROM ${this.s}.retention_runs WHERE status = 'running' FOR UPDATE`);
    return rows[0];
  }

  async insertRun(db: PoolClient, runId: string, at: Date): Promise<void> {
    await db.query(`INSERT INTO ${this.s}.retention_runs (run_id, status, started_at, heartbeat_at) VALUES ($1, 'running', $2, $2)`, [runId, at]);
  }

  async heartbeatIn(db: PoolClient, runId: string, at: Date): Promise<void> {
    await db.query(`UPDATE ${this.s}.retention_runs SET heartbeat_at = $2 WHERE run_id = $1`, [runId, at]);
  }

  async heartbeat(runId: string, progress: { cursor: string | null; applied: number; held: number; skipped: number }, at: Date): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.retention_runs SET heartbeat_at = $2, cursor = $3, applied = applied + $4, held = held + $5, skipped = skipped + $6
       WHERE run_id = $1 AND status = 'running'`,
      [runId, at, progress.cursor, progress.applied, progress.held, progress.skipped],
    );
  }

  async finishRun(runId: string, at: Date): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.retention_runs SET status = 'completed', finished_at = $2, heartbeat_at = $2 WHERE run_id = $1`, [runId, at]);
  }

  async anonymisedPurchases(policyId: string): Promise<Array<{ category: string; amountCents: number; currency: string; recordedOn: string }>> {
    const { rows } = await this.pool.query<{ category: string; amount_cents: string; currency: string; recorded_on: string }>(
      `SELECT category, amount_cents::text, currency, to_char(recorded_on, 'YYYY-MM-DD') AS recorded_on FROM ${this.s}.anonymised_purchases WHERE policy_id = $1`,
      [policyId],
    );
    return rows.map((row) => ({ category: row.category, amountCents: Number(row.amount_cents), currency: row.currency, recordedOn: row.recorded_on }));
  }
}
