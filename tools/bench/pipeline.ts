// The whole write path, measured end to end on the real servers:
//   decide → seal PII → append + outbox (one transaction) → relay → Kafka → projection committed.
// Throughput is events that reached the read model per second; latency is from the command's start to the
// moment its event is visible in the read model (clock_timestamp() inside the projection's transaction).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@crm/config';
import { ActorType, LegalBasis } from '@crm/contracts';
import { CachingKeyStore, createKeyVaultPool, FieldCipher, FileKekProvider, keyVaultDatabase, PostgresKeyStore } from '@crm/crypto';
import { CommandPipeline, EventStore, eventStoreMigrations, foldStream, OutboxRelay, type EventMetadata } from '@crm/eventstore';
import { KafkaCluster } from '@crm/messaging';
import { migrateAll } from '@crm/migrations';
import { createPool } from '@crm/postgres';
import { processorMigrations, projectionProcessor } from '@crm/processing';
import { sampleLedger, sampleLedgerCodec, SampleTotalsProjection, sampleTotalsMigrations } from '@crm/testing';
import { percentile, pg, primaryBrokers, runId, timed, type Measurement } from './bench-env.ts';

const settings = { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: pg.database };
const metadata: EventMetadata = {
  actor: { id: 'bench', type: ActorType.SERVICE },
  purpose: 'benchmark',
  legalBasis: LegalBasis.LEGITIMATE_INTERESTS,
  correlationId: 'bench',
};

export interface PipelineOptions {
  events: number;
  writers: number;
  sealed: boolean;
  subjects?: number;
  /** Open loop: issue commands at this rate instead of as fast as possible (latency without queueing). */
  ratePerSecond?: number;
}

export async function pipeline(options: PipelineOptions): Promise<Measurement> {
  const schema = `bench_pipe_${runId()}`;
  const topic = `bench.pipeline.${schema}`;
  const pool = createPool(settings, { max: options.writers + 4, applicationName: 'bench-pipeline' });
  const kafka = new KafkaCluster({ name: 'primary', brokers: primaryBrokers, clientId: 'bench-pipeline' });
  // A key vault and KEK directory of the run's own: the benchmark never touches the platform's keys.
  const vaultDatabase = `keyvault_${schema}`;
  const vault = options.sealed ? await createKeyVaultPool(settings, { database: vaultDatabase, max: 4 }) : undefined;
  const vaultStore = vault === undefined ? undefined : new PostgresKeyStore({ pool: vault, kek: new FileKekProvider({ stateDir: mkdtempSync(join(tmpdir(), 'crm-bench-kek-')) }) });
  const keyCache = vaultStore === undefined ? undefined : new CachingKeyStore(vaultStore, { maxEntries: 10_000 });
  const cipher = keyCache === undefined ? undefined : new FieldCipher(keyCache);
  const codec = sampleLedgerCodec(cipher);
  const store = new EventStore(pool, { schema, topic });
  const pipeline = new CommandPipeline(pool, store);
  const projection = new SampleTotalsProjection(schema, [topic]);
  const runner = projectionProcessor(pool, kafka, projection, { schema, maxBatchSize: 1000 });
  const relay = new OutboxRelay(pool, kafka, { schema, batchSize: 1000, pollIntervalMs: 200 });
  try {
    await kafka.ensureTopics([{ name: topic, partitions: 6 }]);
    // The run's schema (and vault) get the same migrations `npm run migrate` applies to the platform's.
    await migrateAll(settings, [
      { database: settings.database, schema, migrations: [...eventStoreMigrations, ...processorMigrations, ...sampleTotalsMigrations] },
      ...(options.sealed ? [keyVaultDatabase(vaultDatabase)] : []),
    ]);
    await runner.start();
    relay.start();

    const subjects = options.subjects ?? 1_000;
    // Steady state: subjects already have keys (creating a subject's key is a one-off per person, measured apart).
    if (keyCache !== undefined) {
      for (let s = 0; s < subjects; s += 50) {
        await Promise.all(Array.from({ length: Math.min(50, subjects - s) }, (_, i) => keyCache.dekFor(`bench-subject-${s + i}`)));
      }
    }
    const issuedAt = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    const writer = async (): Promise<void> => {
      for (let n = next++; n < options.events; n = next++) {
        if (options.ratePerSecond !== undefined) {
          const due = started + (n * 1000) / options.ratePerSecond;
          if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
        }
        const sampleId = `sample-${n}`;
        issuedAt.set(sampleId, performance.timeOrigin + performance.now());
        await pipeline.execute(
          { decider: sampleLedger, codec, streamOf: () => `${schema}-${sampleId}`, load: foldStream(store, sampleLedger, codec) },
          { type: 'RecordSample', sampleId, subjectId: `bench-subject-${n % subjects}`, note: `note ${n} for a customer`, amountCents: BigInt(n % 10_000), category: 'bench' },
          metadata,
        );
      }
    };
    const { seconds } = await timed(async () => {
      await Promise.all(Array.from({ length: options.writers }, writer));
      await waitForVisibility(pool, schema, options.events);
    });
    const { rows } = await pool.query<{ sample_id: string; visible_ms: string }>(
      `SELECT sample_id, (extract(epoch FROM visible_at) * 1000)::text AS visible_ms FROM "${schema}".sample_visibility`,
    );
    const latencies = rows.map((row) => Number(row.visible_ms) - issuedAt.get(row.sample_id)!).sort((a, b) => a - b);
    return {
      section: 'pipeline',
      name:
        options.ratePerSecond === undefined
          ? `pipeline, PII ${options.sealed ? 'sealed' : 'in plaintext'}, max rate (${options.writers} writers, 1 event per command)`
          : `pipeline, PII ${options.sealed ? 'sealed' : 'in plaintext'}, paced at ${options.ratePerSecond}/s`,
      perSecond: options.events / seconds,
      count: options.events,
      seconds,
      extra: { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) },
    };
  } finally {
    await relay.stop();
    await runner.stop();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await Promise.all([kafka.close(), vault?.end()]);
    if (vault !== undefined) await pool.query(`DROP DATABASE IF EXISTS "${vaultDatabase}"`).catch(() => undefined);
    await pool.end();
  }
}

async function waitForVisibility(pool: ReturnType<typeof createPool>, schema: string, expected: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".sample_visibility`);
    if ((rows[0]?.n ?? 0) >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]?.n} of ${expected} events reached the read model`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
