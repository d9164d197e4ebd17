// The scheduled verification of the audit trail (issue 15, item 9) on the real servers: entries in a scratch schema
// of Postgres, signed heads on the backup cluster (as the mirror puts them there), the job on BullMQ in Redis. An
// honest trail verifies quietly; an entry tampered with in the database raises the alarm: an error line with the
// stable code and an AuditVerificationFailed event.
import { generateKeyPairSync } from 'node:crypto';
import type pg from 'pg';
import { AuditVerificationFailedSchema, decodeEnvelope, fromBinary } from '@crm/contracts';
import { systemClock } from '@crm/crypto';
import { KafkaCluster, type IncomingMessage } from '@crm/messaging';
import { expectEventually, scratchSchema, testPlatformConfig, uniqueName } from '@crm/testing';
import { recordBatch } from '../../ingesting/audit-batch.writer.js';
import { contactCreated, encode } from '../../testing/audit.fixtures.js';
import { auditTrailMigrations } from '../../trail/audit.schema.js';
import { EntriesStore } from '../../trail/entries.store.js';
import { AuditLogView } from '../../tree-heads/log.view.js';
import { TreeHeadKey } from '../../tree-heads/tree-head.key.js';
import { TreeHeadPublisher } from '../../tree-heads/tree-head.publisher.js';
import { AuditVerificationJobs } from './audit-verification.jobs.js';
import { AUDIT_VERIFICATION_FAILED, AuditVerificationRunner } from './audit-verification.runner.js';

const config = testPlatformConfig();
const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'audit-verification-int-test' });
const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'audit-verification-int-test' });
const key = TreeHeadKey.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);

let pool: pg.Pool;
let drop: () => Promise<void>;
let store: EntriesStore;
let headsTopic: string;
let eventsTopic: string;
let lines: Array<{ level: 'log' | 'error'; message: string }>;
let runner: AuditVerificationRunner;

function batch(size: number): IncomingMessage[] {
  return Array.from({ length: size }, (_, i) => ({
    topic: 'crm.contacts.v1.events',
    partition: 0,
    offset: BigInt(i),
    key: `contact-${i}`,
    value: Buffer.from(encode(contactCreated(`contact-${i}`, ['name.given'], { actorId: 'user-1' }))),
    headers: {},
  }));
}

/** Twelve entries and a head signed over them, published to the backup cluster as the mirror would. */
async function honestTrail(): Promise<void> {
  const view = new AuditLogView(store);
  const publisher = new TreeHeadPublisher(backup, view, key, await store.logId(), { intervalMs: 3_600_000, topic: headsTopic, now: systemClock });
  await publisher.start();
  view.offer((await recordBatch(store, batch(12), () => new Date())).appended);
  await publisher.signNow();
  await publisher.stop();
}

/** An entry rewritten by someone who can switch the append-only triggers off. */
async function tamper(statement: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`ALTER TABLE ${store.s}.entries DISABLE TRIGGER USER`);
    await client.query(statement);
    await client.query(`ALTER TABLE ${store.s}.entries ENABLE TRIGGER USER`);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function alarmEvents(verificationId: string): Promise<Array<{ problems: string[]; entries: bigint; trigger: string }>> {
  const seen = await primary.readFromStart(
    eventsTopic,
    (messages) => messages.some((message) => decodeEnvelope(message.value).correlationId === verificationId),
    { groupId: uniqueName('it-audit-alarm'), timeoutMs: 30_000 },
  );
  return seen
    .map((message) => decodeEnvelope(message.value))
    .filter((envelope) => envelope.correlationId === verificationId && envelope.payloadType === AuditVerificationFailedSchema.typeName)
    .map((envelope) => fromBinary(AuditVerificationFailedSchema, envelope.payload));
}

beforeEach(async () => {
  let schema: string;
  ({ pool, schema, drop } = await scratchSchema('it_audit_verification', auditTrailMigrations));
  store = new EntriesStore(pool, schema);
  headsTopic = uniqueName('it-audit-heads');
  eventsTopic = uniqueName('it-audit-events');
  await primary.ensureTopics([{ name: eventsTopic, partitions: 1 }]);
  lines = [];
  runner = new AuditVerificationRunner({
    store,
    key,
    openHeadsCluster: () =>
      new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'audit-verification-int-test-heads' }),
    headsTopic,
    events: primary,
    eventsTopic,
    logger: { log: (message) => lines.push({ level: 'log', message }), error: (message) => lines.push({ level: 'error', message }) },
    clock: systemClock,
  });
  await honestTrail();
});
afterEach(() => drop());
afterAll(async () => {
  await primary.close();
  await backup.close();
});

describe('the scheduled verification against the heads on the backup cluster', () => {
  it('given the honest trail, when verified, then it passes and raises no alarm', async () => {
    const outcome = await runner.run('honest-run', 'on-demand');

    expect(outcome).toEqual({ verified: true, entries: 12, headsChecked: 1, problems: [] });
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('given an entry changed in the database, when verified, then an AUDIT_VERIFICATION_FAILED error line and an AuditVerificationFailed event', async () => {
    await tamper(`UPDATE ${store.s}.entries SET purpose = 'marketing' WHERE leaf_index = 5`);
    const id = uniqueName('tampered-run');

    const outcome = await runner.run(id, 'schedule');

    expect(outcome).toMatchObject({ verified: false, entries: 12, problems: ['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH'] });
    const errors = lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${AUDIT_VERIFICATION_FAILED}: .*ENTRY_HASH_MISMATCH, ROOT_MISMATCH`));
    expect(await alarmEvents(id)).toEqual([expect.objectContaining({ trigger: 'schedule', entries: 12n, problems: ['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH'] })]);
  });

  it('given the daily job on BullMQ, when a run is queued and an entry was tampered with, then the worker raises the alarm', async () => {
    await tamper(`UPDATE ${store.s}.entries SET actor_id = 'nobody' WHERE leaf_index = 3`);
    const jobs = new AuditVerificationJobs({ redis: config.redis, prefix: uniqueName('it:audit-jobs'), pattern: '30 4 * * *', timezone: 'UTC' }, runner);
    await jobs.start();
    try {
      const id = await jobs.enqueue();

      await expectEventually(() => expect(lines.some((line) => line.level === 'error' && line.message.includes(`verification ${id}`))).toBe(true), {
        timeoutMs: 60_000,
      });
      expect(await alarmEvents(id)).toEqual([expect.objectContaining({ trigger: 'on-demand', problems: ['ENTRY_HASH_MISMATCH', 'ROOT_MISMATCH'] })]);
    } finally {
      await jobs.stop();
    }
  });
});
