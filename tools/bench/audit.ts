// The audit service's two hot paths, each next to a baseline measured in the same run (issue 6):
//   ingest  — the real audit ingest projector on the event processor (decode, fields touched, leaf hash, one transaction per batch, Merkle append)
//             against a consumer that reads the same topic and does nothing (the platform's own consumeBatches);
//   queries — the DPO's "entries by subject, first page" (the code behind GET /v1/audit/entries?subjectId=) on a
//             store of a million entries, against a primary-key lookup of one entry through the same pool.
// Service code is loaded from services/audit/dist (what `npm run build` produces; bench files run with type
// stripping, which cannot run the service's decorators), typed by its sources.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Admin } from '@platformatic/kafka';
import { Secret } from '@crm/config';
import { ActorType, ContactRectifiedSchema, DataCategory, EventEnvelopeSchema, LegalBasis, SealAlgorithm, toBinary } from '@crm/contracts';
import { createEnvelope, envelopeHeaders, protoEvent, uuidv7 } from '@crm/eventstore';
import { KafkaCluster, type OutgoingMessage } from '@crm/messaging';
import { runMigrations } from '@crm/migrations';
import { createPool, type Pool } from '@crm/postgres';
import { processorMigrations } from '@crm/processing';
import { percentile, pg, primaryBrokers, repoRoot, runId, timed, type Measurement, primaryClientSasl, primarySasl } from './bench-env.ts';
import type { auditIngestProcessor } from '../../services/audit/src/ingesting/audit-ingest.projector.ts';
import type { AuditRuntime } from '../../services/audit/src/audit.runtime.ts';
import type { EntriesQuery } from '../../services/audit/src/querying/entries.query.ts';
import type { auditSchemaSql, auditTrailMigrations } from '../../services/audit/src/trail/audit.schema.ts';
import type { EntriesStore } from '../../services/audit/src/trail/entries.store.ts';
import type { entryLeafHash } from '../../services/audit/src/trail/entry.canonical.ts';
import type { AuditLogView } from '../../services/audit/src/tree-heads/log.view.ts';

interface AuditCode {
  auditIngestProcessor: typeof auditIngestProcessor;
  AuditLogView: typeof AuditLogView;
  EntriesQuery: typeof EntriesQuery;
  EntriesStore: typeof EntriesStore;
  auditSchemaSql: typeof auditSchemaSql;
  auditTrailMigrations: typeof auditTrailMigrations;
  entryLeafHash: typeof entryLeafHash;
}

let loaded: Promise<AuditCode> | undefined;
function auditCode(): Promise<AuditCode> {
  const load = async (path: string): Promise<Record<string, unknown>> =>
    (await import(pathToFileURL(join(repoRoot, 'services', 'audit', 'dist', path)).href)) as Record<string, unknown>;
  loaded ??= Promise.all(
    [
      'ingesting/audit-ingest.projector.js',
      'tree-heads/log.view.js',
      'querying/entries.query.js',
      'trail/entries.store.js',
      'trail/audit.schema.js',
      'trail/entry.canonical.js',
    ].map(load),
  ).then((modules) => Object.assign({}, ...modules) as AuditCode);
  return loaded;
}

const settings = { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: pg.database };
/** The audit trail's and the ingest projector's migrations on a bench schema, as `npm run migrate` applies them to the platform's. */
const migrateStore = async (code: AuditCode, store: EntriesStore): Promise<void> =>
  void (await runMigrations(settings, {
    database: settings.database,
    schema: store.schema,
    migrations: [...processorMigrations, ...code.auditTrailMigrations],
  }));
/** CRM_AUDIT_MAX_BATCH's default: the ingester and the raw consumer take batches of the same size. */
const MAX_BATCH = 1_000;
/** Event topics are created with 6 partitions (libs/platform backbone). */
const PARTITIONS = 6;
/** GET /v1/audit/entries' default `limit`. */
const PAGE_SIZE = 100;
const progress = (line: string): void => void process.stderr.write(`  ${line}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Ingest
// ---------------------------------------------------------------------------------------------------------------

/**
 * Publishes `events` ContactRectified envelopes (sealed values, a few catalogue paths each) to a fresh topic, then
 * reads them twice from offset 0: a no-op consumer (baseline), and the audit ingester into a fresh schema until
 * the log's committed size reaches `events`. Both clocks run from subscribing to the last message handled, so both
 * include joining the consumer group.
 *
 * `runs` > 1 repeats that pair (fresh groups, fresh schema) on the same topic and reports the run whose ratio is the
 * median, with every run's ratio beside it: on a shared, noisy machine one pair says little. With `profileDir`, the
 * ingest phase of each run is CPU-profiled (node:inspector) into that directory, the raw consumer's is not.
 */
export async function auditIngest(events: number, options: { runs?: number; profileDir?: string } = {}): Promise<Measurement[]> {
  const code = await auditCode();
  const id = runId();
  const topic = `bench.audit.${id}`;
  const kafka = new KafkaCluster({ name: 'primary', brokers: primaryBrokers, sasl: primarySasl, clientId: 'bench-audit' });
  const pool = createPool(settings, { max: 4, applicationName: 'bench-audit-ingest' });
  const groups: string[] = [];
  try {
    await kafka.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    const published = await timed(() => publishEnvelopes(kafka, topic, events));
    progress(`published ${events.toLocaleString('en')} envelopes in ${published.seconds.toFixed(1)} s`);
    const runs: IngestRun[] = [];
    for (let run = 0; run < Math.max(1, options.runs ?? 1); run++) {
      runs.push(await ingestRun(code, kafka, pool, topic, events, `${id}${run}`, groups, options.profileDir));
    }
    const byRatio = [...runs].sort((a, b) => a.auditRate / a.rawRate - b.auditRate / b.rawRate);
    const { rawRate, auditRate, rawSeconds, auditSeconds, batches } = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
    const allRuns: Record<string, string | number> =
      runs.length === 1 ? {} : { runs: runs.length, ratiosOfRuns: runs.map((r) => round3(r.auditRate / r.rawRate)).join(' ') };
    return [
      {
        section: 'audit',
        name: `audit ingest, raw consumer baseline (consumeBatches ≤${MAX_BATCH}, no-op)`,
        perSecond: rawRate,
        count: events,
        seconds: rawSeconds,
        extra: { partitions: PARTITIONS },
      },
      {
        section: 'audit',
        name: `audit ingest, AuditIngester → Postgres (≤${MAX_BATCH} per transaction)`,
        perSecond: auditRate,
        count: events,
        seconds: auditSeconds,
        extra: {
          ratioToRawConsumer: round3(auditRate / rawRate),
          transactions: batches,
          entriesPerTransaction: Math.round(events / Math.max(1, batches)),
          partitions: PARTITIONS,
          ...allRuns,
        },
      },
    ];
  } finally {
    await pool.end();
    await kafka.close();
    await dropKafkaScratch(topic, groups);
  }
}

interface IngestRun {
  rawRate: number;
  auditRate: number;
  rawSeconds: number;
  auditSeconds: number;
  batches: number;
}

/** One pair on a published topic: the raw consumer, then the audit ingester into a fresh schema (dropped after). */
async function ingestRun(
  code: AuditCode,
  kafka: KafkaCluster,
  pool: Pool,
  topic: string,
  events: number,
  id: string,
  groups: string[],
  profileDir: string | undefined,
): Promise<IngestRun> {
  const store = new code.EntriesStore(pool, `bench_audit_${id}`);
  const rawGroup = `bench-audit-raw-${id}`;
  groups.push(rawGroup);
  let ingester: ReturnType<typeof auditIngestProcessor> | undefined;
  try {
    let seen = 0;
    let done: () => void = () => undefined;
    const allSeen = new Promise<void>((resolve) => (done = resolve));
    const raw = await timed(async () => {
      const subscription = await kafka.subscribe({
        groupId: rawGroup,
        topics: [topic],
        startAt: 'earliest',
        maxBatchSize: MAX_BATCH,
        handle: async (batch) => {
          seen += batch.length;
          if (seen >= events) done();
        },
      });
      await allSeen;
      return subscription;
    });
    await raw.result.stop();
    progress(`raw consumer: ${Math.round(events / raw.seconds).toLocaleString('en')}/s`);

    await migrateStore(code, store);
    const logId = await store.logId();
    groups.push(`audit.${logId}`);
    let batches = 0;
    const active = code.auditIngestProcessor(kafka, store, new code.AuditLogView(store), logId, {
      topicPattern: new RegExp(`^${topic.replaceAll('.', '\\.')}$`),
      discoveryIntervalMs: 60_000,
      maxBatchSize: MAX_BATCH,
      now: () => new Date(),
      onBatch: () => void batches++,
    });
    ingester = active;
    const profiler = profileDir === undefined ? undefined : await startProfile();
    const audit = await timed(async () => {
      await active.start();
      await untilLogSize(pool, store.s, events, 600_000);
    });
    if (profiler !== undefined) await profiler.stopInto(join(profileDir!, `audit-ingest-${id}.cpuprofile`));
    const ratio = raw.seconds / audit.seconds;
    progress(`audit ingester: ${Math.round(events / audit.seconds).toLocaleString('en')}/s in ${batches} transactions (ratio ${ratio.toFixed(3)})`);
    return { rawRate: events / raw.seconds, auditRate: events / audit.seconds, rawSeconds: raw.seconds, auditSeconds: audit.seconds, batches };
  } finally {
    await ingester?.stop().catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS ${store.s} CASCADE`).catch(() => undefined);
  }
}

/** A CPU profile of this process from now until `stopInto`, in Chrome DevTools' format (`.cpuprofile`). */
async function startProfile(): Promise<{ stopInto(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stopInto(file: string): Promise<void> {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      progress(`CPU profile of the ingest: ${file}`);
    },
  };
}

const FIELD_PATHS = [
  'name.given',
  'name.family',
  'birthDate',
  'emails[]',
  'phones[]',
  'addresses[].street',
  'addresses[].city',
  'addresses[].country',
  'preferences.channels[]',
  'notes[]',
];
const PURPOSES = ['customer-service', 'sales', 'marketing', 'billing'];

/** What the contacts service's outbox relay publishes for a rectification: sealed values, clear paths, relay headers. */
async function publishEnvelopes(kafka: KafkaCluster, topic: string, count: number): Promise<void> {
  const random = prng(6);
  const subjects = Array.from({ length: Math.max(1, Math.round(count / 20)) }, () => uuidv7());
  const actors = Array.from({ length: 200 }, () => uuidv7());
  const sealed = () => ({
    algorithm: SealAlgorithm.AES_256_GCM,
    keyId: 'sk_bench',
    keyVersion: 1,
    nonce: randomBytes(12),
    ciphertext: randomBytes(40 + Math.floor(random() * 40)),
  });
  const started = Date.now() - count;
  const chunk = 2_000;
  // One send in flight while the next chunk is built: setup time, not measured, but a full run waits for it.
  let sending: Promise<void> = Promise.resolve();
  for (let from = 0; from < count; from += chunk) {
    const messages: OutgoingMessage[] = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const subjectId = subjects[Math.floor(random() * subjects.length)]!;
      const changed = pick(random, FIELD_PATHS, 1 + Math.floor(random() * 3)).map((path) => ({ path, category: DataCategory.CONTACT, value: sealed() }));
      const removed = random() < 0.2 ? pick(random, FIELD_PATHS, 1) : [];
      const envelope = createEnvelope(
        `contact-${subjectId}`,
        BigInt(2 + (i % 50)),
        protoEvent(ContactRectifiedSchema, { contactId: subjectId, changed, removed }, subjectId, `sk_${subjectId}`),
        {
          actor: { id: actors[Math.floor(random() * actors.length)]!, type: ActorType.USER },
          purpose: PURPOSES[Math.floor(random() * PURPOSES.length)]!,
          legalBasis: LegalBasis.CONTRACT,
          correlationId: uuidv7(),
        },
        new Date(started + i),
      );
      messages.push({
        key: subjectId,
        value: toBinary(EventEnvelopeSchema, envelope),
        headers: envelopeHeaders(envelope.eventType, envelope.eventId),
      });
    }
    await sending;
    sending = kafka.publish(topic, messages);
  }
  await sending;
}

/** `next_leaf_index` commits in the same transaction as the entries: it is the committed row count, without a scan. */
async function untilLogSize(pool: Pool, s: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(`SELECT next_leaf_index::text AS n FROM ${s}.log_state`);
    const size = Number(rows[0]?.n ?? 0);
    if (size >= expected) return;
    if (Date.now() > deadline) throw new Error(`the audit ingester committed only ${size} of ${expected} entries`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function dropKafkaScratch(topic: string, groups: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'bench-audit-admin', bootstrapBrokers: primaryBrokers, ...primaryClientSasl });
  try {
    await admin.deleteGroups({ groups }).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------------------------

/**
 * The store the query benchmark reads. It is kept in `crm_test` and reused by later runs when its fingerprint (fill
 * version, the store's schema SQL, the leaf encoding, the generator) matches and it holds at least the entries asked
 * for; otherwise it is dropped and filled again. `DROP SCHEMA bench_audit_store CASCADE` reclaims the space.
 */
const STORE_SCHEMA = 'bench_audit_store';
const FILL_VERSION = 1;
const ENTRIES_PER_SUBJECT = 10;
const ACTORS = 300;
const FILL_CHUNK = 100_000;
/** Two INSERT … SELECT statements at a time: Postgres runs one statement on one core. */
const FILL_WRITERS = 2;
const WARMUP_QUERIES = 200;
const VERIFIED_SAMPLE = 200;

interface FillMark {
  fingerprint: string;
  entries: number;
  subjects: number;
  fillSeconds: number;
}

export async function auditQueries(entries: number, queries: number): Promise<Measurement[]> {
  const code = await auditCode();
  // The services' pool size (libs/postgres default): what the route's queries run through.
  const pool = createPool(settings, { max: 10, applicationName: 'bench-audit-query' });
  try {
    const store = new code.EntriesStore(pool, STORE_SCHEMA);
    const fingerprint = storeFingerprint(code);
    let mark = await readMark(pool, fingerprint);
    const reused = mark !== undefined && mark.entries >= entries;
    if (!reused) {
      await pool.query(`DROP SCHEMA IF EXISTS ${store.s} CASCADE`);
      const subjects = Math.max(1, Math.round(entries / ENTRIES_PER_SUBJECT));
      const { seconds } = await timed(() => fill(code, store, entries, subjects));
      mark = { fingerprint, entries, subjects, fillSeconds: round1(seconds) };
      await pool.query(`COMMENT ON SCHEMA ${store.s} IS '${JSON.stringify(mark)}'`);
      progress(`filled ${entries.toLocaleString('en')} entries in ${seconds.toFixed(1)} s`);
    } else {
      progress(`reusing ${STORE_SCHEMA} (${mark!.entries.toLocaleString('en')} entries, filled earlier in ${mark!.fillSeconds} s)`);
    }
    const filled = mark!;
    const { rows: sizes } = await pool.query<{ total: string; heap: string; indexes: string }>(
      `SELECT pg_total_relation_size(c.oid)::text AS total, pg_table_size(c.oid)::text AS heap, pg_indexes_size(c.oid)::text AS indexes
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
      [`${STORE_SCHEMA}.entries`],
    );
    const mib = (bytes: string | undefined): number => round1(Number(bytes ?? 0) / 2 ** 20);

    // The route's query code, as the service wires it: EntriesQuery only reads the runtime's store.
    const query = new code.EntriesQuery({ store } as Pick<AuditRuntime, 'store'> as AuditRuntime);
    const random = prng(42);
    const bySubject = async (): Promise<number> =>
      (await query.page({ subjectId: subjectIdOf(Math.floor(random() * filled.subjects)) }, PAGE_SIZE, undefined)).entries.length;
    const byLeafIndex = async (): Promise<number> => ((await store.byLeafIndex(Math.floor(random() * filled.entries))) === undefined ? 0 : 1);
    for (let i = 0; i < WARMUP_QUERIES; i++) {
      await bySubject();
      await byLeafIndex();
    }
    // Interleaved, one at a time: both see the same cache and load, and each figure is a latency, not a queue.
    const subjectMs: number[] = [];
    const leafMs: number[] = [];
    let rowsReturned = 0;
    for (let i = 0; i < queries; i++) {
      let started = performance.now();
      rowsReturned += await bySubject();
      subjectMs.push(performance.now() - started);
      started = performance.now();
      if ((await byLeafIndex()) !== 1) throw new Error('a leaf index of the filled store was not found');
      leafMs.push(performance.now() - started);
    }
    subjectMs.sort((a, b) => a - b);
    leafMs.sort((a, b) => a - b);
    const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
    const subjectP50 = percentile(subjectMs, 50);
    const leafP50 = percentile(leafMs, 50);
    const storeFacts = { entries: filled.entries, subjects: filled.subjects };
    return [
      {
        section: 'audit',
        name: `audit store fill, bulk SQL (${reused ? 'reused from an earlier run' : 'filled in this run'})`,
        perSecond: filled.entries / filled.fillSeconds,
        count: filled.entries,
        seconds: filled.fillSeconds,
        extra: {
          reused: reused ? 'yes' : 'no',
          ...storeFacts,
          totalMiB: mib(sizes[0]?.total),
          tableMiB: mib(sizes[0]?.heap),
          indexesMiB: mib(sizes[0]?.indexes),
        },
      },
      {
        section: 'audit',
        name: `audit query by subject, first page of ${PAGE_SIZE} (EntriesQuery.page)`,
        perSecond: queries / (sum(subjectMs) / 1000),
        count: queries,
        seconds: round3(sum(subjectMs) / 1000),
        extra: {
          p50Ms: round2(subjectP50),
          p99Ms: round2(percentile(subjectMs, 99)),
          ratioP50ToPrimaryKey: round2(subjectP50 / leafP50),
          rowsPerPage: round1(rowsReturned / queries),
          ...storeFacts,
        },
      },
      {
        section: 'audit',
        name: 'audit lookup of one entry by leaf index (primary key), baseline',
        perSecond: queries / (sum(leafMs) / 1000),
        count: queries,
        seconds: round3(sum(leafMs) / 1000),
        extra: { p50Ms: round2(leafP50), p99Ms: round2(percentile(leafMs, 99)), ...storeFacts },
      },
    ];
  } finally {
    await pool.end();
  }
}

async function readMark(pool: Pool, fingerprint: string): Promise<FillMark | undefined> {
  const { rows } = await pool.query<{ mark: string | null }>(`SELECT obj_description(oid, 'pg_namespace') AS mark FROM pg_namespace WHERE nspname = $1`, [
    STORE_SCHEMA,
  ]);
  const text = rows[0]?.mark;
  if (text === undefined || text === null) return undefined;
  try {
    const mark = JSON.parse(text) as FillMark;
    return mark.fingerprint === fingerprint ? mark : undefined;
  } catch {
    return undefined;
  }
}

/** Changes when the schema SQL, the leaf encoding or the generator changes: a stale store is then refilled. */
function storeFingerprint(code: AuditCode): string {
  const probe = {
    leafIndex: 1,
    eventId: 'e',
    occurredAt: new Date(0),
    recordedAt: new Date(1),
    actorId: 'a',
    actorType: 'user',
    action: 'x',
    subjectId: 's',
    fields: ['f'],
    purpose: 'p',
    legalBasis: 'contract',
    correlationId: 'c',
    causationId: '',
    payloadType: 'x',
    envelopeSha256: '00',
    sourceTopic: 't',
    sourcePartition: 0,
    sourceOffset: '0',
  };
  return createHash('sha256')
    .update(`v${FILL_VERSION}\n${code.auditSchemaSql('s')}\n${fillSql('s', 'x')}\n`)
    .update(code.entryLeafHash(probe))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A million entries through the ingester would take minutes, so the store is filled inside Postgres: the store's own
 * schema SQL, then INSERT … SELECT over generate_series, with each leaf hash computed in SQL by transcribing the
 * canonical encoding of entry.canonical.ts. The transcription is checked, not trusted: a sample of rows is read back
 * through EntriesStore and re-hashed with the service's entryLeafHash, and any difference stops the benchmark.
 * Secondary indexes are dropped for the load and rebuilt by running the baseline migration's SQL again (CREATE INDEX IF NOT
 * EXISTS): the same indexes, built in one pass each, as a restore would. The completion mark (the schema comment)
 * is written last, so a fill that dies is redone.
 */
async function fill(code: AuditCode, store: EntriesStore, entries: number, subjects: number): Promise<void> {
  await migrateStore(code, store);
  const { rows: indexes } = await store.pool.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = to_regclass($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [`${store.schema}.entries`],
  );
  for (const { name } of indexes) await store.pool.query(`DROP INDEX ${store.s}."${name}"`);
  // Two years of history ending now, in log order.
  const spanMs = 2 * 365 * 86_400_000;
  const firstMs = Date.now() - spanMs;
  const sql = fillSql(store.s, ACTIONS_SQL);
  let next = 0;
  let done = 0;
  const writer = async (): Promise<void> => {
    const client = await store.pool.connect();
    try {
      // The generator's cost estimate is huge and cheap in truth: JIT-compiling it took longer than running it.
      await client.query('SET jit = off');
      for (let from = next; from < entries; from = next) {
        next += FILL_CHUNK;
        const count = Math.min(FILL_CHUNK, entries - from);
        await client.query(sql, [String(from), count, entries, subjects, String(firstMs), String(spanMs)]);
        done += count;
        progress(`filled ${done.toLocaleString('en')} of ${entries.toLocaleString('en')}`);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: FILL_WRITERS }, writer));
  await store.pool.query(`UPDATE ${store.s}.log_state SET next_leaf_index = $1`, [String(entries)]);
  progress('building indexes');
  // The baseline migration's SQL once more (idempotent): it recreates exactly the indexes dropped above.
  await store.pool.query(code.auditSchemaSql(store.schema));
  await store.pool.query(`VACUUM (ANALYZE) ${store.s}.entries`);
  const random = prng(7);
  for (let i = 0; i < VERIFIED_SAMPLE; i++) {
    const leafIndex = i === 0 ? entries - 1 : Math.floor(random() * entries);
    const entry = await store.byLeafIndex(leafIndex);
    if (entry === undefined) throw new Error(`the fill left a gap at leaf ${leafIndex}`);
    if (Buffer.compare(Buffer.from(code.entryLeafHash(entry)), Buffer.from(entry.leafHash)) !== 0) {
      throw new Error(`the SQL fill's leaf hash differs from entryLeafHash at leaf ${leafIndex}: tools/bench/audit.ts no longer matches entry.canonical.ts`);
    }
  }
}

interface ActionShape {
  action: string;
  weight: number;
  topic: string;
  fields: [min: number, max: number];
  paths: readonly string[];
  purposes: string[];
  legalBasis: string;
  /** Logins and bulk exports name no single data subject. */
  noSubject?: boolean;
}

const TRANSACTION_PATHS = ['transactions[].amountCents', 'transactions[].currency', 'transactions[].description', 'transactions[].occurredAt'];
/** What the platform's topics carry, roughly: mostly reads of contacts, then changes, logins and transactions. */
const ACTIONS: ActionShape[] = [
  {
    action: 'crm.contacts.v1.ContactDataAccessed',
    weight: 45,
    topic: 'crm.access.v1.events',
    fields: [1, 4],
    paths: FIELD_PATHS,
    purposes: ['customer-service', 'sales', 'marketing'],
    legalBasis: 'contract',
  },
  {
    action: 'crm.contacts.v1.ContactRectified',
    weight: 18,
    topic: 'crm.contacts.v1.events',
    fields: [1, 3],
    paths: FIELD_PATHS,
    purposes: ['customer-service', 'sales'],
    legalBasis: 'contract',
  },
  {
    action: 'crm.contacts.v1.ContactCreated',
    weight: 8,
    topic: 'crm.contacts.v1.events',
    fields: [3, 7],
    paths: FIELD_PATHS,
    purposes: ['customer-service', 'sales'],
    legalBasis: 'contract',
  },
  {
    action: 'crm.contacts.v1.TransactionAdded',
    weight: 14,
    topic: 'crm.contacts.v1.events',
    fields: [4, 4],
    paths: TRANSACTION_PATHS,
    purposes: ['billing'],
    legalBasis: 'contract',
  },
  {
    action: 'crm.contacts.v1.ProcessingRestricted',
    weight: 1,
    topic: 'crm.contacts.v1.events',
    fields: [0, 0],
    paths: FIELD_PATHS,
    purposes: ['customer-service'],
    legalBasis: 'legal_obligation',
  },
  {
    action: 'crm.contacts.v1.ContactsExported',
    weight: 2,
    topic: 'crm.access.v1.events',
    fields: [2, 5],
    paths: FIELD_PATHS,
    purposes: ['marketing', 'analytics'],
    legalBasis: 'legitimate_interests',
    noSubject: true,
  },
  {
    action: 'crm.identity.v1.LoginSucceeded',
    weight: 12,
    topic: 'crm.identity.v1.events',
    fields: [0, 0],
    paths: FIELD_PATHS,
    purposes: ['authentication'],
    legalBasis: 'legitimate_interests',
    noSubject: true,
  },
];

const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;
const textArray = (values: readonly string[]): string => `ARRAY[${values.map(literal).join(', ')}]::text[]`;
const ACTIONS_SQL = (() => {
  let lo = 0;
  const total = ACTIONS.reduce((sum, shape) => sum + shape.weight, 0);
  return ACTIONS.map((shape) => {
    const row = `(${literal(shape.action)}, ${lo / total}::float8, ${(lo + shape.weight) / total}::float8, ${literal(shape.topic)}, ${shape.fields[0]}, ${shape.fields[1]}, ${textArray(shape.paths)}, ${textArray(shape.purposes)}, ${literal(shape.legalBasis)}, ${shape.noSubject === true})`;
    lo += shape.weight;
    return row;
  }).join(',\n    ');
})();

/** uuid-shaped, stable ids: an md5 (hex) laid out as 8-4-4-4-12 (SQL and JS agree, so queries can name subjects). */
const uuidSql = (hex: string): string =>
  `substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-7' || substr(${hex}, 14, 3) || '-8' || substr(${hex}, 18, 3) || '-' || substr(${hex}, 21, 12)`;

/** uuidv7's layout (48-bit milliseconds, version 7, variant 8) from a time and an md5 (hex) for the random bits. */
const uuidv7Sql = (ms: string, hex: string): string => {
  const time = `lpad(to_hex(${ms}), 12, '0')`;
  return `substr(${time}, 1, 8) || '-' || substr(${time}, 9, 4) || '-7' || substr(${hex}, 1, 3) || '-8' || substr(${hex}, 4, 3) || '-' || substr(${hex}, 7, 12)`;
};

function subjectIdOf(k: number): string {
  const h = createHash('md5').update(`subject-${k}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** u32 big-endian byte length, then the UTF-8 bytes: entry.canonical.ts's `text`. */
const lengthPrefixed = (expression: string): string => `int4send(octet_length(convert_to(${expression}, 'UTF8'))) || convert_to(${expression}, 'UTF8')`;
const CANONICAL_PREFIX = Buffer.concat([Buffer.from('crm.audit.v1.AuditEntry\u0000', 'utf8'), Buffer.of(1)]).toString('hex');

/**
 * One chunk: $1 first leaf index, $2 how many, $3 the store's total, $4 subjects, $5 the first occurred time (ms),
 * $6 the time span (ms). Rows are uniform over subjects and actors (5% by a service), time grows with the index.
 */
function fillSql(s: string, actionsSql: string): string {
  const canonical = [
    `'\\x${CANONICAL_PREFIX}'::bytea`,
    'int8send(d.leaf_index)',
    'int8send(d.occurred_ms)',
    'int8send(d.recorded_ms)',
    'int4send(d.source_partition)',
    ...[
      'd.event_id',
      'd.actor_id',
      'd.actor_type',
      'd.action',
      'd.subject_id',
      'd.purpose',
      'd.legal_basis',
      'd.correlation_id',
      'd.causation_id',
      'd.payload_type',
      'd.envelope_sha256',
      'd.source_topic',
      'd.source_offset::text',
    ].map(lengthPrefixed),
    'int4send(cardinality(d.fields))',
    `coalesce((SELECT string_agg(${lengthPrefixed('f')}, ''::bytea ORDER BY o) FROM unnest(d.fields) WITH ORDINALITY AS u(f, o)), ''::bytea)`,
  ].join('\n      || ');
  return `
WITH shapes(action, lo, hi, topic, min_fields, max_fields, paths, purposes, legal_basis, no_subject) AS (VALUES
    ${actionsSql}),
rolls AS MATERIALIZED (
  -- Every draw is used once here; the hashes are computed once per row (the CTE is materialised: random() is volatile).
  SELECT x.g, x.r_action, x.r_service, x.r_purpose, x.r_fields, x.r_count, x.r_recorded, x.occurred_ms,
         md5('subject-' || floor(x.r_subject * $4::int)::int) AS h_subject,
         md5('actor-' || floor(x.r_actor * ${ACTORS})::int) AS h_actor,
         md5('c' || x.g) AS h_correlation,
         md5('e' || x.g) AS h_event
  FROM (SELECT g, random() AS r_action, random() AS r_subject, random() AS r_actor, random() AS r_service, random() AS r_purpose,
               random() AS r_fields, random() AS r_count, random() AS r_recorded,
               $5::bigint + floor(g::numeric * $6::bigint / $3::bigint)::bigint AS occurred_ms
        FROM generate_series($1::bigint, $1::bigint + $2::bigint - 1) AS g) AS x
),
drafts AS MATERIALIZED (
  SELECT r.g AS leaf_index,
         ${uuidv7Sql('r.occurred_ms', 'r.h_event')} AS event_id,
         r.occurred_ms,
         r.occurred_ms + 5 + floor(r.r_recorded * 500)::bigint AS recorded_ms,
         CASE WHEN r.r_service < 0.05 THEN 'contacts' ELSE ${uuidSql('r.h_actor')} END AS actor_id,
         CASE WHEN r.r_service < 0.05 THEN 'service' ELSE 'user' END AS actor_type,
         s.action,
         CASE WHEN s.no_subject THEN '' ELSE ${uuidSql('r.h_subject')} END AS subject_id,
         ARRAY(SELECT p FROM (SELECT s.paths[1 + (floor(r.r_fields * cardinality(s.paths))::int + i) % cardinality(s.paths)] AS p
                              FROM generate_series(0, s.min_fields + floor(r.r_count * (s.max_fields - s.min_fields + 1))::int - 1) AS i) AS chosen
               ORDER BY p COLLATE "C") AS fields,
         s.purposes[1 + floor(r.r_purpose * cardinality(s.purposes))::int] AS purpose,
         s.legal_basis,
         ${uuidSql('r.h_correlation')} AS correlation_id,
         ''::text AS causation_id,
         s.action AS payload_type,
         encode(sha256(int8send(r.g)), 'hex') AS envelope_sha256,
         s.topic AS source_topic,
         (r.g % ${PARTITIONS})::int AS source_partition,
         r.g / ${PARTITIONS} AS source_offset
  FROM rolls r JOIN shapes s ON r.r_action >= s.lo AND r.r_action < s.hi
)
INSERT INTO ${s}.entries (leaf_index, event_id, occurred_at, recorded_at, actor_id, actor_type, action, subject_id, fields, purpose, legal_basis,
                          correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset, leaf_hash)
SELECT d.leaf_index, d.event_id, timestamptz 'epoch' + d.occurred_ms * interval '1 millisecond', timestamptz 'epoch' + d.recorded_ms * interval '1 millisecond',
       d.actor_id, d.actor_type, d.action, d.subject_id, d.fields, d.purpose, d.legal_basis, d.correlation_id, d.causation_id, d.payload_type,
       d.envelope_sha256, d.source_topic, d.source_partition, d.source_offset,
       sha256('\\x00'::bytea
      || ${canonical})
FROM drafts d`;
}

function pick<T>(random: () => number, from: readonly T[], count: number): T[] {
  const pool = [...from];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return chosen;
}

/** mulberry32: a small seeded generator, so runs draw the same subjects and shapes. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const round3 = (value: number): number => Math.round(value * 1000) / 1000;
