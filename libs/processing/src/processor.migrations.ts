import type { SchemaMigration } from '@crm/postgres';
import { quoteIdent } from './event-processor.js';

/**
 * The event processor's bookkeeping, in the schema a projector or a recording reactor is given (`schema` in its
 * options): partition checkpoints, per-stream versions applied, consumer-group generations, processed event ids. Every
 * database hosting such a processor lists these (services/<name>/src/migrations.ts); a reactor with natural
 * idempotency keeps none. Run by `@crm/migrations` (docs/migrations.md); never edit an applied one, append a new one.
 */
export const processorMigrations: readonly SchemaMigration[] = [
  { name: 'ProcessorBookkeepingBaseline1795996800001', up: (schema) => processorBaselineSql(schema) },
];

/** Baseline: the DDL the processor used to run at start, unchanged and idempotent. */
function processorBaselineSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
    CREATE SCHEMA IF NOT EXISTS ${s};
    CREATE TABLE IF NOT EXISTS ${s}.processor_checkpoints (
      processor text NOT NULL, topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,
      PRIMARY KEY (processor, topic, partition));
    CREATE TABLE IF NOT EXISTS ${s}.processor_streams (
      processor text NOT NULL, stream_id text NOT NULL, version bigint NOT NULL,
      PRIMARY KEY (processor, stream_id));
    CREATE TABLE IF NOT EXISTS ${s}.processor_groups (
      processor text PRIMARY KEY, generation int NOT NULL);
    CREATE TABLE IF NOT EXISTS ${s}.processed_events (
      processor text NOT NULL, event_id text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (processor, event_id));`;
}
