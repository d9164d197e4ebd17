// The one place TypeORM is used: its DataSource and migrations create and change every database's schema.
// Libs and services declare their migrations as plain `SchemaMigration`s (`@crm/postgres`); this lib turns a
// database's list into TypeORM migration classes and runs them. Hot paths keep their hand-written SQL on their own
// pg pools. See docs/migrations.md.
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { PostgresSettings } from '@crm/config';
import { ensureDatabase, type DatabaseMigrations, type SchemaMigration } from '@crm/postgres';

export type { DatabaseMigrations, SchemaMigration } from '@crm/postgres';

/** TypeORM's migrations table, one per migrated schema: `<schema>.crm_migrations` (id, timestamp, name). */
export const MIGRATIONS_TABLE = 'crm_migrations';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class IrreversibleMigration extends Error {
  constructor(readonly migration: string) {
    super(`migration ${migration} is irreversible: undoing it would destroy data`);
    this.name = 'IrreversibleMigration';
  }
}

/** A TypeORM migration class running `migration`'s SQL in `schema` (TypeORM instantiates classes, not objects). */
function migrationClass(migration: SchemaMigration, schema: string): new () => MigrationInterface {
  return class implements MigrationInterface {
    readonly name = migration.name;

    async up(runner: QueryRunner): Promise<void> {
      // No parameters: the simple query protocol, so one migration may hold several statements.
      await runner.query(migration.up(schema));
    }

    async down(runner: QueryRunner): Promise<void> {
      if (migration.down === undefined) throw new IrreversibleMigration(migration.name);
      await runner.query(migration.down(schema));
    }
  };
}

/** A DataSource for one database: postgres driver, no entities, no synchronize, one transaction per migration. */
export function migrationDataSource(settings: PostgresSettings, plan: DatabaseMigrations): DataSource {
  if (!IDENTIFIER.test(plan.schema)) throw new RangeError(`not a safe schema name: ${plan.schema}`);
  if (plan.owner !== undefined && !IDENTIFIER.test(plan.owner)) throw new RangeError(`not a safe role name: ${plan.owner}`);
  return new DataSource({
    type: 'postgres',
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password.reveal(),
    database: plan.database,
    schema: plan.schema,
    applicationName: `migrate-${plan.database}`,
    poolSize: 2,
    connectTimeoutMS: 5_000,
    installExtensions: false,
    entities: [],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    migrations: plan.migrations.map((migration) => migrationClass(migration, plan.schema)),
    // As the database's owner (the connecting administrator is a member of it): what the migrations create is its.
    ...(plan.owner === undefined ? {} : { extra: { options: `-c role=${plan.owner}` } }),
  });
}

/**
 * Applies `plan`'s pending migrations, each in its own transaction, and returns the names applied (in order).
 * Several processes may run it at once: a session advisory lock per schema makes the others wait, then find
 * nothing pending.
 */
export async function runMigrations(settings: PostgresSettings, plan: DatabaseMigrations): Promise<string[]> {
  if (plan.createDatabase === true) await ensureDatabase(settings, plan.database);
  const dataSource = migrationDataSource(settings, plan);
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  const key = `crm-migrations:${plan.schema}`;
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    // The migrations table lives in the schema, which must exist before TypeORM creates it.
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${plan.schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (plan.grants !== undefined) await lock.query(plan.grants(plan.schema));
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}

/** The names in `plan` not yet recorded in its migrations table (all of them when the table does not exist). */
export async function pendingMigrations(settings: PostgresSettings, plan: DatabaseMigrations): Promise<string[]> {
  const dataSource = migrationDataSource(settings, plan);
  await dataSource.initialize();
  try {
    const applied = await appliedMigrations(dataSource, plan.schema);
    return plan.migrations.map((migration) => migration.name).filter((name) => !applied.has(name));
  } finally {
    await dataSource.destroy();
  }
}

/** Names recorded in the schema's migrations table (TypeORM's executor would create the table; this only reads). */
export async function appliedMigrations(dataSource: DataSource, schema: string): Promise<Set<string>> {
  const table = `"${schema}"."${MIGRATIONS_TABLE}"`;
  const [{ present }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])) as [{ present: boolean }];
  if (!present) return new Set();
  const rows = (await dataSource.query(`SELECT name FROM ${table}`)) as Array<{ name: string }>;
  return new Set(rows.map((row) => row.name));
}

export interface MigrationReport {
  database: string;
  schema: string;
  applied: string[];
}

/** Runs every plan in turn (one database/schema pair once, even when several services list it). */
export async function migrateAll(settings: PostgresSettings, plans: readonly DatabaseMigrations[]): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  const seen = new Set<string>();
  for (const plan of plans) {
    const key = `${plan.database}/${plan.schema}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reports.push({ database: plan.database, schema: plan.schema, applied: await runMigrations(settings, plan) });
  }
  return reports;
}

/** Fails when any plan has pending migrations: a service refuses to start on a schema older than its code. */
export async function assertMigrated(settings: PostgresSettings, plans: readonly DatabaseMigrations[]): Promise<void> {
  for (const plan of plans) {
    let pending: string[];
    try {
      pending = await pendingMigrations(settings, plan);
    } catch (error) {
      throw new Error(`cannot read the migrations of database ${plan.database}; run \`npm run migrate\``, { cause: error });
    }
    if (pending.length > 0)
      throw new Error(`database ${plan.database} (schema ${plan.schema}) has pending migrations ${pending.join(', ')}; run \`npm run migrate\``);
  }
}
