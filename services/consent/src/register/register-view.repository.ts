import { Inject, Injectable } from '@nestjs/common';
import { quoteIdent } from '@crm/eventstore';
import { PG_POOL, withTransaction, type Pool } from '@crm/postgres';
import { CONSENT_SCHEMA } from '../consents/consent.streams.js';
import { registerActivity, type RegisterActivity, type RegisterProcessor } from './register.model.js';

/** The register as consent learnt it (see RegisterViewController), read in one snapshot. */
@Injectable()
export class RegisterView {
  readonly #s = quoteIdent(CONSENT_SCHEMA);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async snapshot(): Promise<{ activities: RegisterActivity[]; processors: RegisterProcessor[] }> {
    return withTransaction(
      this.pool,
      async (client) => {
        const activities = await client.query<Parameters<typeof registerActivity>[0]>(
          `SELECT activity_id::text AS id, status, document FROM ${this.#s}.register_activities ORDER BY activity_id`,
        );
        const processors = await client.query<{ id: string; document: RegisterProcessor['document'] }>(
          `SELECT processor_id::text AS id, document FROM ${this.#s}.register_processors ORDER BY processor_id`,
        );
        return { activities: activities.rows.map(registerActivity), processors: processors.rows };
      },
      'REPEATABLE READ READ ONLY',
    );
  }
}
