import { Inject, Injectable } from '@nestjs/common';
import { quoteIdent } from '@crm/eventstore';
import { PG_POOL, type Pool } from '@crm/postgres';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';

/** Whether consent has learnt that a contact exists (see KnownContactsController). */
@Injectable()
export class KnownContacts {
  readonly #table = `${quoteIdent(CONSENT_SCHEMA)}.known_contacts`;

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async has(contactId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM ${this.#table} WHERE contact_id = $1`, [contactId]);
    return (rowCount ?? 0) > 0;
  }
}
