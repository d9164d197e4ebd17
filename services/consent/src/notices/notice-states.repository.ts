import { Inject, Injectable } from '@nestjs/common';
import { quoteIdent } from '@crm/eventstore';
import { PG_POOL, type Pool, type PoolClient } from '@crm/postgres';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';
import type { NoticeState, NoticeVersionState } from './notice.decider.js';
import { parseNoticeVersion, type NoticeLanguage } from './notice.streams.js';

export interface NoticeStateRow {
  lang: NoticeLanguage;
  version: bigint;
  state: NoticeState;
}

/** The privacy-notice state rows (`privacy_notice_states`), one per language: read for answers, locked for decisions. */
@Injectable()
export class NoticeStates {
  readonly #table = `${quoteIdent(CONSENT_SCHEMA)}.privacy_notice_states`;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async byLang(lang: NoticeLanguage): Promise<NoticeStateRow | undefined> {
    const { rows } = await this.pool.query(`SELECT lang, version, state FROM ${this.#table} WHERE lang = $1`, [lang]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  /** The language's row, locked until the transaction ends (commands on one language queue here). */
  async byLangForUpdate(tx: PoolClient, lang: NoticeLanguage): Promise<NoticeStateRow | undefined> {
    const { rows } = await tx.query(`SELECT lang, version, state FROM ${this.#table} WHERE lang = $1 FOR UPDATE`, [lang]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async save(tx: PoolClient, lang: NoticeLanguage, version: bigint, state: NoticeState, at: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.#table} (lang, version, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (lang) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [lang, version.toString(), JSON.stringify(state), at],
    );
  }

  /** A version by its name (`pl-3`) in whatever status, or undefined when no such version exists. */
  async version(name: string): Promise<NoticeVersionState | undefined> {
    const parsed = parseNoticeVersion(name);
    if (parsed === undefined) return undefined;
    const row = await this.byLang(parsed.lang);
    return row?.state.versions[parsed.number - 1];
  }
}

function toRow(row: Record<string, unknown>): NoticeStateRow {
  return { lang: row.lang as NoticeLanguage, version: BigInt(row.version as string), state: row.state as NoticeState };
}
