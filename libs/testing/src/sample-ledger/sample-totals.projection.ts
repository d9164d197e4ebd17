import type { PoolClient } from 'pg';
import { fromBinary, SampleRecordedSchema } from '@crm/contracts';
import type { Projection, ProjectedEvent } from '@crm/processing';
import { quoteIdent } from '@crm/eventstore';
import type { SchemaMigration } from '@crm/postgres';

/** The sample read model's tables, beside the event store's in the same schema. */
export const sampleTotalsMigrations: readonly SchemaMigration[] = [
  {
    name: 'SampleTotalsBaseline1795996800900',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.sample_totals (subject_id text PRIMARY KEY, samples int NOT NULL, total_cents bigint NOT NULL);
      CREATE TABLE IF NOT EXISTS ${s}.sample_visibility (event_id uuid PRIMARY KEY, sample_id text NOT NULL, visible_at timestamptz NOT NULL);`;
    },
  },
];

/**
 * Totals per subject, plus when each event became visible in the read model (for end-to-end latency). Holds no
 * personal data: the sealed note is not projected.
 */
export class SampleTotalsProjection implements Projection {
  readonly name: string;
  readonly #s: string;

  constructor(
    schema: string,
    readonly topics: readonly string[],
  ) {
    this.name = `sample-totals.${schema}`;
    this.#s = quoteIdent(schema);
  }

  async apply(tx: PoolClient, { envelope }: ProjectedEvent): Promise<void> {
    const payload = fromBinary(SampleRecordedSchema, envelope.payload);
    await tx.query(
      `INSERT INTO ${this.#s}.sample_totals VALUES ($1, 1, $2)
       ON CONFLICT (subject_id) DO UPDATE SET samples = sample_totals.samples + 1, total_cents = sample_totals.total_cents + $2`,
      [envelope.subjectId, payload.amountCents.toString()],
    );
    // clock_timestamp(), not now(): now() is the transaction start, which would hide the batch's own latency.
    await tx.query(`INSERT INTO ${this.#s}.sample_visibility VALUES ($1, $2, clock_timestamp())`, [envelope.eventId, payload.sampleId]);
  }

  async reset(tx: PoolClient): Promise<void> {
    await tx.query(`DELETE FROM ${this.#s}.sample_totals; DELETE FROM ${this.#s}.sample_visibility;`);
  }
}
