import type { SchemaMigration } from '@crm/postgres';
import { quoteIdent } from '../store/event-store.schema.js';

/**
 * The projection runner's bookkeeping in the read model's schema: partition checkpoints, per-stream versions applied,
 * and the consumer-group generation `rebuild()` moves on. Never edit an applied migration; append a new one.
 */
export const projectionCheckpointMigrations: readonly SchemaMigration[] = [
  {
    name: 'ProjectionCheckpointsBaseline1795996800001',
    up: (schema) => {
      const s = quoteIdent(schema);
      return `
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
        projection text NOT NULL, topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,
        PRIMARY KEY (projection, topic, partition));
      CREATE TABLE IF NOT EXISTS ${s}.projection_streams (
        projection text NOT NULL, stream_id text NOT NULL, version bigint NOT NULL,
        PRIMARY KEY (projection, stream_id));
      CREATE TABLE IF NOT EXISTS ${s}.projection_groups (
        projection text PRIMARY KEY, generation int NOT NULL);`;
    },
  },
];
