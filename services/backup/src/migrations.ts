import type { PlatformConfig } from '@crm/config';
import type { DatabaseMigrations } from '@crm/postgres';
import { drillMigrations } from './drills/drill.schema.js';
import { snapshotMigrations } from './snapshots/snapshot.schema.js';

/** The backup service's database: the record of its snapshot runs and restore drills (docs/migrations.md). */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: 'public', migrations: [...snapshotMigrations, ...drillMigrations] }];
}
