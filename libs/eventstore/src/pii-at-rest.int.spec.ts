// Proof, not promise (docs/crypto-shredding.md): personal data written through the backbone is never at rest in
// plaintext, and after the subject's key is shredded it cannot be read back by anyone, while the events stay as
// history.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { decodeEnvelope } from '@crm/contracts';
import { CachingKeyStore, createKeyVaultPool, FieldCipher, FileKekProvider, PostgresKeyStore, ShredAnnouncer, SubjectShredder } from '@crm/crypto';
import { KafkaCluster } from '@crm/messaging';
import {
  expectEventually,
  filesContaining,
  sampleLedger,
  sampleLedgerCodec,
  SampleTotalsProjection,
  migrateKeyVault,
  sampleTotalsMigrations,
  scratchSchema,
  testEnv,
  testPlatformConfig,
  uniqueName,
} from '@crm/testing';
import { CommandPipeline, EventStore, eventStoreMigrations, foldStream, OutboxRelay } from './index.js';
import { processorMigrations, projectionProcessor } from '@crm/processing';
import { sampleMetadata } from './testing-fixtures.js';

const stateDir = testEnv().CRM_STATE_DIR!;
const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'pii-at-rest-test' });
const kafkaPrimaryData = join(stateDir, 'kafka', 'primary');
const postgresData = join(stateDir, 'postgres', 'data');

let pool: pg.Pool;
let schema: string;
let dropSchema: () => Promise<void>;
let vault: pg.Pool;
let vaultDatabase: string;
let keyStore: PostgresKeyStore;

beforeAll(async () => {
  ({ pool, schema, drop: dropSchema } = await scratchSchema('pii', [...eventStoreMigrations, ...processorMigrations, ...sampleTotalsMigrations]));
  vaultDatabase = `keyvault_${schema}`;
  vault = await createKeyVaultPool(config.postgres!, { database: vaultDatabase, max: 4 });
  await migrateKeyVault(vaultDatabase);
  keyStore = new PostgresKeyStore({ pool: vault, kek: new FileKekProvider({ stateDir: mkdtempSync(join(tmpdir(), 'crm-pii-kek-')) }) });
});
afterAll(async () => {
  await kafka.close();
  await vault.end();
  await pool.query(`DROP DATABASE IF EXISTS "${vaultDatabase}"`);
  await dropSchema();
});

/** Makes what the servers hold in memory reach their files: Postgres's dirty pages are checkpointed. */
async function flushToDisk(): Promise<void> {
  await pool.query('CHECKPOINT');
}

describe('personal data at rest', () => {
  it('the scan is real: a control marker written in plaintext is found in Kafka segments and in Postgres WAL and heap', async () => {
    const control = `CONTROLMARKER${randomBytes(8).toString('hex')}`;
    const topic = uniqueName('it-control');
    await kafka.ensureTopics([{ name: topic, partitions: 1 }]);
    await kafka.publish(topic, [{ key: 'control', value: Buffer.from(control) }]);
    await pool.query(`CREATE TABLE "${schema}".control (value text)`);
    await pool.query(`INSERT INTO "${schema}".control VALUES ($1)`, [control]);
    await flushToDisk();

    await expectEventually(async () => expect((await filesContaining([kafkaPrimaryData], control)).length).toBeGreaterThan(0));
    const postgresHits = await filesContaining([postgresData], control);
    expect(postgresHits.some((file) => file.includes('pg_wal'))).toBe(true);
    expect(postgresHits.some((file) => file.includes(`${join(postgresData, 'base')}`))).toBe(true);
  });

  it('given an event whose PII holds a marker, then no Kafka segment and no Postgres file (heap or WAL) contains it, and after shredding nobody can read it', async () => {
    const marker = `PIIMARKER${randomBytes(8).toString('hex')}`;
    const subjectId = uniqueName('subject');
    const topic = uniqueName('it-pii');
    await kafka.ensureTopics([{ name: topic, partitions: 3 }]);
    const store = new EventStore(pool, { schema, topic });
    const cache = new CachingKeyStore(keyStore);
    const codec = sampleLedgerCodec(new FieldCipher(cache));
    const projection = new SampleTotalsProjection(schema, [topic]);
    const runner = projectionProcessor(pool, kafka, projection, { schema });

    const streamId = `sample-${subjectId}`;
    await new CommandPipeline(pool, store).execute(
      { decider: sampleLedger, codec, streamOf: () => streamId, load: foldStream(store, sampleLedger, codec) },
      { type: 'RecordSample', sampleId: 'pii-1', subjectId, note: `Customer ${marker} asked to be called back`, amountCents: 4_200n, category: 'support' },
      sampleMetadata(),
    );
    await new OutboxRelay(pool, kafka, { schema }).drain();
    await runner.start();
    await expectEventually(async () => expect(await runner.caughtUp()).toBe(true), { timeoutMs: 30_000 });
    await runner.stop();

    // The service itself can read its data back …
    const [recorded] = await store.readStream(streamId);
    expect((await codec.decode(recorded!.envelope)).note).toContain(marker);
    // … but nothing on disk holds it in plaintext.
    await flushToDisk();
    expect(await filesContaining([kafkaPrimaryData, postgresData], marker)).toEqual([]);

    const shredder = new SubjectShredder({ keyStore: cache, caches: [cache], announcer: new ShredAnnouncer(kafka) });
    await shredder.shredSubject(subjectId, 'ERASURE_REQUEST');

    // The history stays: the envelope is intact and still says what happened, to whom, why.
    const [afterShred] = await store.readStream(streamId);
    expect(decodeEnvelope(afterShred!.envelopeBytes)).toMatchObject({ eventType: 'crm.testing.v1.SampleRecorded', subjectId, purpose: 'customer-service' });
    // Neither this process nor a fresh one (another service, a restored backup) can open the PII any more.
    await expect(codec.decode(afterShred!.envelope)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    const elsewhere = sampleLedgerCodec(
      new FieldCipher(
        new CachingKeyStore(new PostgresKeyStore({ pool: vault, kek: new FileKekProvider({ stateDir: mkdtempSync(join(tmpdir(), 'crm-pii-other-')) }) })),
      ),
    );
    await expect(elsewhere.decode(afterShred!.envelope)).rejects.toMatchObject({ code: 'KEY_SHREDDED' });
    const kafkaCopy = await kafka.readFromStart(topic, (seen) => seen.length >= 1, { groupId: uniqueName('pii-reader'), timeoutMs: 20_000 });
    await expect(codec.decode(decodeEnvelope(kafkaCopy[0]!.value))).rejects.toMatchObject({ code: 'KEY_SHREDDED' });

    await flushToDisk();
    expect(await filesContaining([kafkaPrimaryData, postgresData], marker)).toEqual([]);
  });
});
