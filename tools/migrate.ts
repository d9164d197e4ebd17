// Applies every database's pending migrations (TypeORM, recorded in each schema's `crm_migrations` table) and prints
// what it applied. `npm run migrate` runs it, and so do `npm start`, `npm test` and `npm run bench` before any
// service starts. The lists are the services' own (services/<name>/src/migrations.ts, built into dist), so a
// database gets exactly the migrations its service checks for at boot. See docs/migrations.md.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlatformConfig, type PlatformConfig } from '@crm/config';
import { migrateAll, type DatabaseMigrations } from '@crm/migrations';

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

const reports = await migrateAll(settings!, plans);
let total = 0;
for (const { database, schema, applied } of reports) {
  total += applied.length;
  const where = schema === 'public' ? database : `${database}.${schema}`;
  console.log(applied.length === 0 ? `  ${where}: up to date` : `  ${where}: applied ${applied.join(', ')}`);
}
console.log(`migrations: ${total} applied in ${reports.length} databases`);
