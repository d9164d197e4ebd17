import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool } from '@crm/postgres';
import { CONTACTS_SCHEMA } from '../../contacts/contact.streams.js';
import { AnalyticsStream } from '../analytics-stream.js';
import type { AnalyticsKeyRotation } from '../analytics-key.js';

/** Where a run is: subjects done of the total, per step. */
export interface BackfillProgress {
  step: 'republish' | 'retire';
  done: number;
  total: number;
}

export interface BackfillOutcome {
  /** Subjects this database holds or held (erased ones included). */
  subjects: number;
  /** Records published (profiles and tombstones; contacts never held by this database have none). */
  published: number;
  /** Tombstones under the retired key (a rotation only). */
  retired: number;
}

const PAGE = 500;

/**
 * Rebuilds `crm.analytics.v1.contacts` from what the contacts database holds, subject by subject in pages (the
 * records the reactor would publish for each, tombstones for the erased and for those whose basis does not hold),
 * and rotates the analytics key: every subject republished under the successor's pseudonym, then a tombstone under
 * the retired one, so compacted copies drop the old pseudonyms. Every record is a whole snapshot: a run that stops
 * midway is simply run again.
 */
@Injectable()
export class AnalyticsBackfill {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly stream: AnalyticsStream,
  ) {}

  async backfill(onProgress: (progress: BackfillProgress) => void = () => undefined): Promise<BackfillOutcome> {
    const total = await this.#count();
    let published = 0;
    const subjects = await this.#eachPage(total, 'republish', onProgress, async (ids) => {
      published += await this.stream.republish(ids);
    });
    return { subjects, published, retired: 0 };
  }

  /** Republishes under `rotation.next`, tombstones under `rotation.retired`, then commits the new key. */
  async rotate(rotation: AnalyticsKeyRotation, onProgress: (progress: BackfillProgress) => void = () => undefined): Promise<BackfillOutcome> {
    const total = await this.#count();
    let published = 0;
    const subjects = await this.#eachPage(total, 'republish', onProgress, async (ids) => {
      published += await this.stream.republish(ids, rotation.next);
    });
    const retired = await this.#eachPage(total, 'retire', onProgress, (ids) => this.stream.tombstones(ids, rotation.retired));
    await rotation.commit();
    return { subjects, published, retired };
  }

  async #count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${SUBJECTS}) subjects`);
    return rows[0]!.n;
  }

  async #eachPage(
    total: number,
    step: BackfillProgress['step'],
    onProgress: (progress: BackfillProgress) => void,
    work: (ids: string[]) => Promise<void>,
  ): Promise<number> {
    let done = 0;
    onProgress({ step, done, total });
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const { rows } = await this.pool.query<{ contact_id: string }>(
        `SELECT contact_id FROM (${SUBJECTS}) subjects WHERE contact_id > $1 ORDER BY contact_id LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) return done;
      const ids = rows.map((row) => row.contact_id);
      await work(ids);
      done += ids.length;
      after = ids.at(-1)!;
      onProgress({ step, done, total: Math.max(total, done) });
    }
  }
}

/** Every contact this database holds or held: its records and the erased ones' tombstones. */
const SUBJECTS = `SELECT contact_id FROM ${CONTACTS_SCHEMA}.contact_records UNION SELECT contact_id FROM ${CONTACTS_SCHEMA}.erased_contacts`;
