// The retention sweep's rate: subjects crypto-shredded per second by the contacts service's own RetentionSweep (the
// built code, booted in this process as the service boots), with its clock two days ahead so an inactivity policy of
// one day covers every contact. On a database of its own (`crm_bench_retention`, emptied first): a sweep ends every
// contact of its database, and the platform's are the other benchmarks' population. bench.ts reports it as a ratio
// of erasure through the API (`contact erasure vs history length`, same run): the sweep erases one subject after
// another in one process, with no HTTP, no token check and no gateway hop, so the ratio is what those cost.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPlatformConfig } from '@crm/config';
import { createLogger } from '@crm/logging';
import { migrateAll } from '@crm/migrations';
import { createServiceApp, EVENT_STORE, type ServiceDefinition } from '@crm/platform';
import { ensureDatabase, PG_POOL, type DatabaseMigrations, type Pool } from '@crm/postgres';
import type { PlatformConfig } from '@crm/config';
import { repoRoot, timed, type Measurement } from './bench-env.ts';

const DATABASE = 'crm_bench_retention';
const built = async <T>(path: string, name: string): Promise<T> =>
  ((await import(pathToFileURL(join(repoRoot, 'services', 'contacts', 'dist', path)).href)) as Record<string, unknown>)[name] as T;

type Constructor = abstract new (...args: never[]) => unknown;

export async function retentionSweep(subjects: number): Promise<Measurement> {
  // No scheduled sweep of this in-process service: only the one measured.
  process.env.CRM_RETENTION_SCHEDULE = '0 0 1 1 *';
  const contacts = await built<ServiceDefinition>('service.definition.js', 'serviceDefinition');
  const databaseMigrations = await built<(config: PlatformConfig) => DatabaseMigrations[]>('migrations.js', 'databaseMigrations');
  const [ContactCommands, RetentionPolicies, RetentionRepository, ContactErasure, RetentionSweep] = await Promise.all([
    built<Constructor>('contacts/contact-commands.service.js', 'ContactCommands'),
    built<Constructor>('retention/retention.service.js', 'RetentionPolicies'),
    built<Constructor>('retention/retention.repository.js', 'RetentionRepository'),
    built<Constructor>('erasure/contact-erasure.service.js', 'ContactErasure'),
    built<new (...args: unknown[]) => { run(): Promise<{ applied: number }> }>('retention/retention.sweep.js', 'RetentionSweep'),
  ]);
  const config = loadPlatformConfig(
    { service: contacts.service, defaultPort: contacts.defaultPort, postgres: true },
    { ...process.env, CRM_PG_DATABASE: DATABASE },
  );
  await ensureDatabase(config.postgres!, DATABASE);
  await migrateAll(config.postgres!, databaseMigrations(config));
  const app = await createServiceApp(contacts, config, createLogger({ service: 'contacts-bench', level: 'warn' }));
  await app.init();
  try {
    await app
      .get<Pool>(PG_POOL)
      .query(
        'TRUNCATE contacts.contact_records, contacts.contact_search, contacts.contact_transactions, contacts.erased_contacts, contacts.retention_policies, contacts.legal_holds, contacts.retention_runs, contacts.retention_applied, contacts.anonymised_purchases',
      );
    const commands = app.get(ContactCommands) as { execute(command: unknown, context: unknown): Promise<unknown> };
    const context = { actorId: 'bench', purpose: 'sales', legalBasis: 'contract' as const, correlationId: 'bench-retention' };
    let next = 0;
    const writer = async (): Promise<void> => {
      for (let n = next++; n < subjects; n = next++) {
        const data = { name: { given: `Retention${n}`, family: 'Bench' }, emails: [`retention-${n}-${randomUUID().slice(0, 8)}@bench.example`] };
        await commands.execute({ type: 'CreateContact', contactId: randomUUID(), data }, context);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const policies = app.get(RetentionPolicies) as { create(input: unknown, actor: unknown): Promise<unknown> };
    await policies.create(
      { name: 'bench: inactive for a day', purpose: 'sales', category: 'identity', kind: 'inactivity', period: 'P1D', action: 'crypto-shred' },
      { actorId: 'bench', correlationId: 'bench-retention' },
    );
    const later = new Date(Date.now() + 2 * 86_400_000);
    const sweep = new RetentionSweep(app.get(RetentionRepository), app.get(ContactErasure), app.get(EVENT_STORE), () => later, {
      leaseMs: 300_000,
      batchSize: 200,
    });
    const { result, seconds } = await timed(() => sweep.run());
    if (result.applied !== subjects) throw new Error(`the sweep applied ${result.applied} effects, not ${subjects}`);
    return {
      section: 'retention',
      name: `retention sweep: crypto-shred ${subjects.toLocaleString('en')} contacts past their policy (1 sweep)`,
      perSecond: subjects / seconds,
      count: subjects,
      seconds,
    };
  } finally {
    await app.close();
  }
}
