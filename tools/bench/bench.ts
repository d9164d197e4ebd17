// `npm run bench`: speed of the event backbone on this machine, every figure next to a baseline measured in the
// same run on the same brokers and database. Not a test: nothing here passes or fails, it reports.
//   node tools/bench/bench.ts [--quick] [--only PART[,PART…]] [--audit-runs N] [--audit-profile DIR]
// PART is a measurement's label as printed (`» label …`) or its first word: `--only audit` runs the audit ingest and
// queries, `--only 'audit ingest'` the ingest alone. A partial run prints the ratios it has and leaves latest.json alone.
// --audit-runs N repeats the audit ingest's pair (raw consumer, ingester) N times on one topic and reports the median
// ratio's run; --audit-profile DIR writes a CPU profile of each ingest phase there.
// --soak[=MINUTES] (default 10) runs the soak instead (tools/bench/soak.ts): a mixed workload through the gateway,
// its latencies, errors and the platform's memory growth; it exits 1 when memory grew 10 % or more.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot, type Measurement } from './bench-env.ts';
import { fieldSealing } from './field-sealing.ts';
import { auditIngest, auditQueries } from './audit.ts';
import { withdrawalToRefusal } from './consent.ts';
import { contactErasure, contactSearch, contactUsers, contactWrites } from './contacts.ts';
import { kafkajsProducer, kafkaPerfTool, platformaticProducer } from './kafka-baselines.ts';
import { platformMemory } from './memory.ts';
import { mirrorLag } from './mirror.ts';
import { restoreReplay } from './restore.ts';
import { retentionSweep } from './retention.ts';
import { soakMain } from './soak.ts';
import { contactsPipeline } from './pipeline.ts';
import { pgbenchBatchedAppend, pgbenchSingleRow } from './postgres-baseline.ts';

const soakArgument = process.argv.find((argument) => argument === '--soak' || argument.startsWith('--soak='));
if (soakArgument !== undefined) {
  const minutes = soakArgument === '--soak' ? 10 : Number(soakArgument.slice('--soak='.length));
  if (!(minutes > 0)) throw new Error(`--soak wants a positive number of minutes, not ${soakArgument}`);
  process.exit(await soakMain(minutes));
}

const quick = process.argv.includes('--quick');
const scale = quick ? 0.2 : 1;
const n = (count: number): number => Math.max(1, Math.round(count * scale));
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : (process.argv[onlyAt + 1] ?? '').split(',').map((part) => part.trim().toLowerCase());
const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
};
const auditRuns = Number(option('--audit-runs') ?? 1);
const auditProfile = option('--audit-profile');
const wanted = (label: string): boolean =>
  only === undefined || only.some((part) => label.toLowerCase() === part || label.toLowerCase().split(/[ ,]/)[0] === part);

const results: Measurement[] = [];
async function measure(label: string, work: () => Promise<Measurement | Measurement[]>): Promise<void> {
  if (!wanted(label)) return;
  process.stderr.write(`» ${label} …\n`);
  const outcome = await work();
  results.push(...(Array.isArray(outcome) ? outcome : [outcome]));
}

await measure('Kafka ProducerPerformance', () => kafkaPerfTool(n(300_000)));
await measure('kafkajs producer', () => kafkajsProducer(n(100_000)));
await measure('@platformatic/kafka producer', () => platformaticProducer(n(100_000)));
await measure('pgbench batched append', () => pgbenchBatchedAppend(quick ? 3 : 10));
await measure('pgbench single-row append', () => pgbenchSingleRow(quick ? 3 : 10));
await measure('field sealing', () => fieldSealing(n(200_000)));
// The production write path (contacts), with the whole platform up.
await measure('pipeline, max rate', () => contactsPipeline({ commands: n(3_000), writers: 8 }));
await measure('pipeline, paced', () => contactsPipeline({ commands: n(1_000), writers: 8, ratePerSecond: 100 }));
await measure('audit ingest', () => auditIngest(n(200_000), { runs: auditRuns, ...(auditProfile === undefined ? {} : { profileDir: auditProfile }) }));
await measure('backup mirror lag', () => mirrorLag(n(3_000), 200));
await measure('restore replay', () => restoreReplay(n(100_000)));
await measure('audit queries', () => auditQueries(n(1_000_000), 1_000));
// Through the running platform's gateway (the bench starts it, with the gateway's rate limit lifted).
// Signed in once, when the first of these parts runs.
let signedIn: ReturnType<typeof contactUsers> | undefined;
const users = (): ReturnType<typeof contactUsers> => (signedIn ??= contactUsers());
await measure('contact writes through the gateway', async () => contactWrites(await users(), n(2_000)));
await measure('contact erasure vs history length', async () =>
  contactErasure(await users(), [
    { events: 10, repeats: 3 },
    { events: quick ? 2_000 : 10_000, repeats: 3 },
  ]),
);
// After the erasures through the API, which it is a ratio of.
await measure('retention sweep', () => retentionSweep(n(500)));
await measure('contact search', async () => contactSearch(await users(), quick ? 20_000 : 100_000, n(1_000)));
await measure('consent withdrawal to refusal', () => withdrawalToRefusal(quick ? 20 : 50));
const memory = platformMemory();

class Missing extends Error {}
const find = (prefix: string): Measurement => {
  const found = results.find((m) => m.name.startsWith(prefix));
  if (found === undefined) throw new Missing(`no measurement ${prefix}`);
  return found;
};
const perfTool = (): Measurement => find('Kafka ProducerPerformance');
const pgbench = (): Measurement => find('pgbench: 100-row');
const sealedMax = (): Measurement => find('pipeline: contact creation on the contacts write path, PII sealed, max');
const ratioOf: Record<string, () => number> = {
  'pipeline / pgbench single-row': () => sealedMax().perSecond / find('pgbench: single-row').perSecond,
  'kafkajs / Kafka perf tool': () => find('kafkajs').perSecond / perfTool().perSecond,
  '@platformatic/kafka / Kafka perf tool': () => find('@platformatic').perSecond / perfTool().perSecond,
  '@platformatic/kafka / kafkajs': () => find('@platformatic').perSecond / find('kafkajs').perSecond,
  'pipeline (sealed) / Kafka perf tool': () => sealedMax().perSecond / perfTool().perSecond,
  'pipeline (sealed) / pgbench batched rows': () => sealedMax().perSecond / pgbench().perSecond,
  'seal a field / copy a field': () => find('seal one field').perSecond / find('copy one plaintext').perSecond,
  'contact writes via gateway / pipeline (sealed)': () => find('contact writes').perSecond / sealedMax().perSecond,
  'erasure 10k events / 10 events': () =>
    find(`erase a contact with ${(quick ? 2_000 : 10_000).toLocaleString('en')}`).seconds / find('erase a contact with 10 ').seconds,
  'retention sweep / erasure via gateway (subjects/s)': () => find('retention sweep').perSecond / find('erase a contact with 10 ').perSecond,
  'restore replay / raw consumer': () => find('restore replay: backup').perSecond / find('restore replay, raw consumer').perSecond,
  'audit ingest / raw consumer': () => find('audit ingest, AuditIngester').perSecond / find('audit ingest, raw consumer').perSecond,
  'audit query by subject p50 / PK lookup p50': () =>
    Number(find('audit query by subject').extra!.p50Ms) / Number(find('audit lookup of one entry').extra!.p50Ms),
  'contact search p50 / unknown-id lookup p50': () =>
    Number(find('search by e-mail').extra!.p50Ms) / Number(find('baseline: get an unknown contact').extra!.p50Ms),
  'consent withdrawal -> refusal p50 / raw Kafka hop p50': () =>
    Number(find('consent withdrawal').extra!.p50Ms) / Number(find('baseline: raw Kafka hop').extra!.p50Ms),
  'consent withdrawal -> refusal p50 / marketing read p50': () =>
    Number(find('consent withdrawal').extra!.p50Ms) / Number(find('baseline: the marketing read').extra!.p50Ms),
};
// A full run has every ratio (a missing measurement is a bug there); a partial run (--only) those it measured.
const ratios: Record<string, number> = {};
for (const [name, ratio] of Object.entries(ratioOf)) {
  try {
    ratios[name] = ratio();
  } catch (error) {
    if (!(error instanceof Missing) || only === undefined) throw error;
  }
}

const fmt = (value: number): string => (value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(value >= 10 ? 1 : 3));
const lines = [
  '',
  `CRM backbone benchmark — ${new Date().toISOString()} — ${cpus().length} cores${quick ? ' — QUICK (smaller counts)' : ''}`,
  '',
  `${'measurement'.padEnd(78)} ${'per second'.padStart(12)} ${'count'.padStart(9)}  latency`,
  ...results.map(
    (m) =>
      `${m.name.padEnd(78)} ${fmt(m.perSecond).padStart(12)} ${String(m.count).padStart(9)}  ${
        m.extra?.p50Ms !== undefined
          ? `p50 ${m.extra.p50Ms} ms, p99 ${m.extra.p99Ms} ms`
          : m.extra?.meanMs !== undefined
            ? `mean ${m.extra.meanMs} ms (${m.extra.minMs}–${m.extra.maxMs})`
            : ''
      }`,
  ),
  '',
  'ratios (same run, same brokers and database)',
  ...Object.entries(ratios).map(([name, value]) => `  ${name.padEnd(50)} ${value.toFixed(3)}`),
  '',
  `platform resident memory (PSS): ${memory.totalMiB} MiB  (${Object.entries(memory.byComponent)
    .map(([name, mib]) => `${name} ${mib}`)
    .join(', ')})`,
  '',
];
process.stdout.write(lines.join('\n'));

const outDir = join(repoRoot, 'bench-results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `bench-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, quick, only, results, ratios, memory }, null, 2)}\n`);
if (only === undefined)
  writeFileSync(
    join(outDir, 'latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, quick, only, results, ratios, memory }, null, 2)}\n`,
  );
process.stdout.write(`results written to ${file}\n`);
process.exit(0);
