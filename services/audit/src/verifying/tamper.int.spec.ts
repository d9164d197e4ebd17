// Tamper evidence on the real servers: entries in Postgres, signed heads on Kafka. Each test rewrites the audit
// database the way an operator with the table owner's rights could (triggers disabled for the rewrite), then runs
// the verifier exactly as the CLI does. Honest data must verify; every rewrite of signed history must be caught.
import { generateKeyPairSync } from 'node:crypto';
import type pg from 'pg';
import { create, SignedTreeHeadSchema, toBinary } from '@crm/contracts';
import { systemClock } from '@crm/crypto';
import type { IncomingMessage } from '@crm/messaging';
import { KafkaCluster } from '@crm/messaging';
import { scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { recordBatch } from '../ingesting/audit-batch.writer.js';
import { contactCreated, contactDataAccessed, contactRectified, encode } from '../testing/audit.fixtures.js';
import { entryLeafHash } from '../trail/entry.canonical.js';
import { auditTrailMigrations } from '../trail/audit.schema.js';
import { EntriesStore } from '../trail/entries.store.js';
import { AuditLogView } from '../tree-heads/log.view.js';
import { signTreeHead, treeHeadToProto } from '../tree-heads/tree-head.codec.js';
import { TreeHeadKey } from '../tree-heads/tree-head.key.js';
import { TreeHeadPublisher } from '../tree-heads/tree-head.publisher.js';
import { verifyDatabase } from './verify.runner.js';

const config = testPlatformConfig();
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'audit-tamper-int-test' });
const key = TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);

let pool: pg.Pool;
let drop: () => Promise<void>;
let store: EntriesStore;
let topic: string;
let publisher: TreeHeadPublisher;
let offset = 0n;

/** Ten events per subject and batch, as the contacts service would publish them. */
function batch(subjects: number, round: number): IncomingMessage[] {
  return Array.from({ length: subjects }, (_, s) => {
    const subject = `contact-${s}`;
    const options = { actorId: `user-${round}` };
    const envelope = [
      () => contactCreated(subject, ['name.given', 'emails'], options),
      () => contactRectified(subject, ['phones'], [], options),
      () => contactDataAccessed(subject, ['emails'], options),
    ][round % 3]!();
    return { topic: 'crm.contacts.v1.events', partition: s % 3, offset: offset++, key: subject, value: Buffer.from(encode(envelope)), headers: {} };
  });
}

/** Records batches and signs a head after each: heads at sizes 10, 25 and 40. */
async function honestLog(): Promise<void> {
  const view = new AuditLogView(store);
  publisher = new TreeHeadPublisher(kafka, view, key, await store.logId(), { intervalMs: 3_600_000, topic, now: systemClock });
  await publisher.start();
  for (const [round, size] of [10, 15, 15].entries()) {
    view.offer((await recordBatch(store, batch(size, round), () => new Date())).appended);
    await publisher.signNow();
  }
  await publisher.stop();
}

/** Runs SQL as someone who can switch the append-only triggers off (the table owner, or a superuser). */
async function tamper(...statements: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${store.s}.entries DISABLE TRIGGER USER`);
    for (const statement of statements) await client.query(statement);
    await client.query(`ALTER TABLE ${store.s}.entries ENABLE TRIGGER USER`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function problemCodes(): Promise<string[]> {
  const verdict = await verifyDatabase(store, kafka, key, { topic });
  return [...new Set(verdict.problems.map((problem) => problem.code))].sort();
}

/** Recomputes the stored leaf hash of a row the way a careful forger would. */
async function rehash(leafIndex: number): Promise<string> {
  const entry = (await store.byLeafIndex(leafIndex))!;
  return `UPDATE ${store.s}.entries SET leaf_hash = '\\x${Buffer.from(entryLeafHash(entry)).toString('hex')}' WHERE leaf_index = ${leafIndex}`;
}

beforeEach(async () => {
  let schema: string;
  ({ pool, schema, drop } = await scratchSchema('it_audit_tamper', auditTrailMigrations));
  store = new EntriesStore(pool, schema);
  topic = uniqueName('it-audit-heads');
  offset = 0n;
  await honestLog();
});
afterEach(() => drop());
afterAll(() => kafka.close());

describe('tamper evidence against the signed heads on Kafka', () => {
  it('given the honest log, then it verifies against three signed heads', async () => {
    const verdict = await verifyDatabase(store, kafka, key, { topic });
    expect(verdict).toMatchObject({ verified: true, entries: 40, headsChecked: 3, unsignedEntries: 0, problems: [] });
  });

  it('given an entry changed in the database, then the verifier detects it', async () => {
    await tamper(`UPDATE ${store.s}.entries SET purpose = 'marketing' WHERE leaf_index = 5`);
    expect(await problemCodes()).toEqual(['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH']);
  });

  it('given an entry changed and its stored leaf hash recomputed, then the signed roots still catch it', async () => {
    await tamper(`UPDATE ${store.s}.entries SET actor_id = 'nobody' WHERE leaf_index = 17`);
    await tamper(await rehash(17));
    expect(await problemCodes()).toEqual(['ROOT_MISMATCH']);
  });

  it('given an entry deleted, then the verifier detects it', async () => {
    await tamper(`DELETE FROM ${store.s}.entries WHERE leaf_index = 12`);
    // 39 rows remain under a head that signed 40, so the count alone also gives it away.
    expect(await problemCodes()).toEqual(['ENTRY_INDEX_GAP', 'LOG_TRUNCATED', 'ROOT_MISMATCH']);
  });

  it('given two entries reordered (their leaf indexes swapped), then the verifier detects it', async () => {
    await tamper(
      `UPDATE ${store.s}.entries SET leaf_index = 1000003 WHERE leaf_index = 3`,
      `UPDATE ${store.s}.entries SET leaf_index = 3 WHERE leaf_index = 4`,
      `UPDATE ${store.s}.entries SET leaf_index = 4 WHERE leaf_index = 1000003`,
    );
    expect(await problemCodes()).toEqual(['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH']);
    await tamper(await rehash(3), await rehash(4));
    expect(await problemCodes()).toEqual(['ROOT_MISMATCH']);
  });

  it('given an entry inserted in the middle (later ones shifted, every hash recomputed), then the verifier detects it', async () => {
    await tamper(
      `UPDATE ${store.s}.entries SET leaf_index = leaf_index + 1000000 WHERE leaf_index >= 7`,
      `UPDATE ${store.s}.entries SET leaf_index = leaf_index - 999999 WHERE leaf_index >= 1000000`,
      `INSERT INTO ${store.s}.entries SELECT 7, 'planted-event', occurred_at, recorded_at, 'user-x', actor_type, action, subject_id, fields, purpose,
         legal_basis, correlation_id, causation_id, payload_type, envelope_sha256, source_topic, source_partition, source_offset, leaf_hash
       FROM ${store.s}.entries WHERE leaf_index = 6`,
    );
    const statements = await Promise.all(Array.from({ length: 34 }, (_, i) => rehash(7 + i)));
    await tamper(...statements);
    expect(await problemCodes()).toEqual(['ROOT_MISMATCH']);
  });

  it('given the tail truncated, then the verifier detects it', async () => {
    await tamper(`DELETE FROM ${store.s}.entries WHERE leaf_index >= 30`);
    expect(await problemCodes()).toEqual(['LOG_TRUNCATED']);
  });

  it('given a rewritten database, then a restarted signer refuses to sign over it', async () => {
    await tamper(`UPDATE ${store.s}.entries SET subject_id = 'someone-else' WHERE leaf_index = 2`);
    await tamper(await rehash(2));
    const restarted = new TreeHeadPublisher(kafka, new AuditLogView(store), key, await store.logId(), { intervalMs: 3_600_000, topic, now: systemClock });
    await restarted.start();
    expect(restarted.halted?.code).toBe('AUDIT_LOG_INTEGRITY_FAILED');
    await expect(restarted.signNow()).rejects.toMatchObject({ code: 'AUDIT_LOG_INTEGRITY_FAILED' });
    await restarted.stop();
  });

  it('given an entry changed in the database with its stored leaf hash left alone, then a restarted signer recomputes it from the entry and refuses to sign', async () => {
    await tamper(`UPDATE ${store.s}.entries SET purpose = 'marketing' WHERE leaf_index = 30`);
    const view = new AuditLogView(store);
    const restarted = new TreeHeadPublisher(kafka, view, key, await store.logId(), { intervalMs: 3_600_000, topic, now: systemClock });

    await restarted.start();

    expect(view.broken).toEqual({ leafIndex: 30 });
    expect(view.size).toBe(30);
    expect(restarted.halted).toMatchObject({ code: 'AUDIT_LOG_INTEGRITY_FAILED', message: expect.stringContaining('entry 30') });
    await expect(restarted.signNow()).rejects.toMatchObject({ code: 'AUDIT_LOG_INTEGRITY_FAILED' });
    await restarted.stop();
  });

  it('given entries recorded after the last head, when the signer stops, then a last head covers them and the log verifies', async () => {
    const view = new AuditLogView(store);
    const signer = new TreeHeadPublisher(kafka, view, key, await store.logId(), { intervalMs: 3_600_000, topic, now: systemClock });
    await signer.start();
    view.offer((await recordBatch(store, batch(5, 0), () => new Date())).appended);

    await signer.stop();

    const verdict = await verifyDatabase(store, kafka, key, { topic });
    expect(verdict).toMatchObject({ verified: true, entries: 45, headsChecked: 4, unsignedEntries: 0 });
  });

  it('given a head forged with another key and garbage on the heads topic, then both are reported and the honest heads still hold', async () => {
    const forger = TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
    const forged = {
      ...signTreeHead(forger, { logId: await store.logId(), treeSize: 40, rootHash: new Uint8Array(32).fill(1), timestamp: new Date() }),
      keyId: key.keyId,
    };
    await kafka.publish(topic, [
      { key: 'x', value: toBinary(SignedTreeHeadSchema, treeHeadToProto(forged)) },
      { key: 'x', value: toBinary(SignedTreeHeadSchema, create(SignedTreeHeadSchema, { logId: 'x' })) },
    ]);
    const verdict = await verifyDatabase(store, kafka, key, { topic });
    expect(verdict.problems.map((problem) => problem.code).sort()).toEqual(['TREE_HEAD_SIGNATURE_INVALID', 'TREE_HEAD_UNDECODABLE']);
    expect(verdict.headsChecked).toBe(3);
  });
});
