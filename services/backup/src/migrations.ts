import type { PlatformConfig } from '@crm/config';
import type { DatabaseMigrations } from '@crm/postgres';
import { snapshotMigrations } from './snapshots/snapshot.schema.js';

/** The backup service's database: the record of its snapshot runs (docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: 'public', migrations: snapshotMigrations }];
}
