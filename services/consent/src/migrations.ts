import type { PlatformConfig } from '@crm/config';
import type { DatabaseMigrations } from '@crm/postgres';

/**
 * No tables yet: the list is empty, but `npm run migrate` still creates the database's migrations table, so the
 * first migration added here is recorded like every other (docs/migrations.md).
 */
export function databaseMigrations(config: PlatformConfig): DatabaseMigrations[] {
  return [{ database: config.postgres!.database, schema: 'public', migrations: [] }];
}
