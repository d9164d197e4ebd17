// Applies every database's pending migrations (TypeORM, recorded in each schema's `crm_migrations` table) and prints
// what it applied. `npm run migrate` runs it, and so do `npm start`, `npm test` and `npm run bench` before any
// service starts. The lists are the services' own (services/<name>/src/migrations.ts, built into dist), so a
// database gets exactly the migrations its service checks for at boot. See docs/migrations.md.
// It connects as the administrator role (infra.env's CRM_PG_USER, `crm`) and runs each platform database's migrations
// as that database's owner role (`SET ROLE`), so the tables belong to the owner, never to the administrator or to a
// service's runtime role (docs/security.md).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { databaseOwnerRole, loadPlatformConfig, type PlatformConfig } from '@crm/config';
import { migrateAll, type DatabaseMigrations } from '@crm/migrations';
import { createPool } from '@crm/postgres';

const repoRoot = resolve(dirname(new URL(import.meta.url).pathname), '..');
/** Every service with a database, in the order `tools/platform.ts` starts them. */
const SERVICES = ['identity', 'contacts', 'consent', 'audit', 'backup'] as const;

type MigrationsModule = { databaseMigrations: (config: PlatformConfig) => DatabaseMigrations[] };

const plans: DatabaseMigrations[] = [];
let settings: PlatformConfig['postgres'];
for (const service of SERVICES) {
  const built = join(repoRoot, 'services', service, 'dist', 'migrations.js');
  if (!existsSync(built)) {
    console.error(`error: ${built} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  const config = loadPlatformConfig({ service, defaultPort: 0, kafka: false });
  settings ??= config.postgres;
  const { databaseMigrations } = (await import(pathToFileURL(built).href)) as MigrationsModule;
  plans.push(...databaseMigrations(config));
}

// Owner roles exist where deploy/local/postgres.sh made the cluster; elsewhere (a cluster with the single `crm` role)
// the migrations run as the connecting role, as before.
const admin = createPool({ ...settings!, database: 'postgres' }, { max: 1, applicationName: 'migrate-roles' });
const { rows } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles').finally(() => admin.end());
const roles = new Set(rows.map((row) => row.rolname));
const ownedPlans = plans.map((plan) => {
  const owner = plan.owner ?? databaseOwnerRole(plan.database);
  return owner !== undefined && roles.has(owner) ? { ...plan, owner } : plan;
});

const reports = await migrateAll(settings!, ownedPlans);
let total = 0;
for (const { database, schema, applied } of reports) {
  total += applied.length;
  const where = schema === 'public' ? database : `${database}.${schema}`;
  console.log(applied.length === 0 ? `  ${where}: up to date` : `  ${where}: applied ${applied.join(', ')}`);
}
console.log(`migrations: ${total} applied in ${reports.length} databases`);
