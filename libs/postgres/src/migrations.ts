import type { PostgresSettings } from '@crm/config';
import { createPool } from './postgres.module.js';

/**
 * One versioned schema change, written as SQL. `@crm/migrations` runs these through TypeORM's migrations, which
 * records each applied `name` in the schema's `crm_migrations` table; a name once applied is never run again, so a
 * migration is never edited after it has shipped — the next change is a new migration. See docs/migrations.md.
 *
 * Libs and services declare their migrations with this plain shape (no TypeORM import), so TypeORM stays in one lib.
 */
export interface SchemaMigration {
  /** Unique within its database; ends in a 13-digit JavaScript timestamp, which orders the migrations. */
  readonly name: string;
  /** The SQL for the schema it runs in (a validated, unquoted identifier). */
  up(schema: string): string;
  /** The SQL that undoes `up`; absent when undoing would destroy data, and then reverting it throws "irreversible". */
  down?(schema: string): string;
}

/** Everything one database (one schema of it) needs, in the order the timestamps give. */
export interface DatabaseMigrations {
  database: string;
  /** The schema the migrations run in and whose `crm_migrations` table records them (`public` for the key vault). */
  schema: string;
  migrations: readonly SchemaMigration[];
  /** Create the database first when it does not exist (the key vault; service databases come from infra.sh). */
  createDatabase?: boolean;
  /**
   * The role the migrations run as (`SET ROLE`, so what they create belongs to it): the database's owner, when the
   * connecting role is the administrator (a member of every owner role, docs/security.md). Unset: the connecting role.
   */
  owner?: string;
  /**
   * Idempotent SQL run after the migrations, as the same role, every time: the privileges the database's runtime
   * roles get on what the migrations made (e.g. the audit service's INSERT and SELECT). Must tolerate a missing role
   * (`grantsToRole`), since only deploy/local creates the platform's roles.
   */
  grants?: (schema: string) => string;
}

/**
 * `statements` (GRANTs naming `role`) wrapped so they run only when the role exists: the tests' database and other
 * deployments may have no such role.
 */
export function grantsToRole(role: string, statements: readonly string[]): string {
  if (!ROLE_NAME.test(role)) throw new RangeError(`not a safe role name: ${role}`);
  return `DO $grants$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
${statements.map((statement) => `    ${statement};`).join('\n')}
  END IF;
END $grants$;`;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates `database` if it does not exist (the platform role has CREATEDB); safe when several processes race. */
export async function ensureDatabase(settings: PostgresSettings, database: string, maintenanceDatabase = 'postgres'): Promise<void> {
  // CREATE DATABASE takes no bind parameters; the name is validated instead and quoted.
  if (!DATABASE_NAME.test(database)) throw new RangeError('database name must match [a-z_][a-z0-9_]{0,62}');
  const admin = createPool({ ...settings, database: maintenanceDatabase }, { max: 1, applicationName: 'crm-setup' });
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rows.length > 0) return;
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } catch (error) {
      // Another process created it between our check and our CREATE: 42P04 duplicate_database, or 23505 when
      // both inserts into pg_database race.
      const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await admin.end();
  }
}
