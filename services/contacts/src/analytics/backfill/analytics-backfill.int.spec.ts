import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ContactProfileSchema, fromBinary } from '@crm/contracts';
import { writePrivateFile } from '@crm/crypto';
import { KafkaCluster, type IncomingMessage } from '@crm/messaging';
import { PG_POOL, withTransaction, type Pool } from '@crm/postgres';
import { ContactsRepository } from '../../read-model/contacts.repository.js';
import { expectEventually, uniqueName } from '@crm/testing';
import { SUBJECT_SHREDDER } from '@crm/platform';
import type { SubjectShredder } from '@crm/crypto';
import { DPO, useContactsApp, WRITER } from '../../testing/contacts.fixture.js';
import { ANALYTICS_CONTACTS_TOPIC, pseudonymOf } from '../analytics-profile.decision.js';
import { ANALYTICS_KEY, beginAnalyticsKeyRotation } from '../analytics-key.js';
import { AnalyticsStream } from '../analytics-stream.js';
import { AnalyticsBackfill, type BackfillProgress } from './analytics-backfill.js';

// The analytics command's work against the real contacts database, key vault and Kafka: what it publishes is read
// back from the topic with a plain consumer, only the records that came after it started.
const contacts = useContactsApp();
const { call, config } = contacts;
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: uniqueName('backfill-it') });
const scratch = mkdtempSync(join(tmpdir(), 'crm-analytics-key-'));
afterAll(async () => {
  await kafka.close();
  rmSync(scratch, { recursive: true, force: true });
});

const backfill = () => new AnalyticsBackfill(contacts.app.get<Pool>(PG_POOL), contacts.app.get(AnalyticsStream));
const key = () => contacts.app.get<Buffer>(ANALYTICS_KEY);

/** Records of the analytics topic past `from` (end offsets per partition), by key. */
async function recordsSince(from: bigint[]): Promise<IncomingMessage[]> {
  const records: IncomingMessage[] = [];
  await kafka.readToEnd([ANALYTICS_CONTACTS_TOPIC], (message) => void (message.offset >= (from[message.partition] ?? 0n) && records.push(message)), {
    groupId: uniqueName('backfill-it-reader'),
    timeoutMs: 20_000,
  });
  return records;
}
const isTombstone = (record: IncomingMessage): boolean => record.value === null || record.value === undefined;

async function createContact(marker: string): Promise<string> {
  const created = await call('POST', '/v1/contacts', WRITER, {
    purpose: 'customer-service',
    data: { name: { given: `Bf${marker}`, family: 'Lee' }, addresses: [{ street: 'Main 1', city: 'Berlin', country: 'DE' }] },
  });
  expect(created.status).toBe(201);
  return String(created.body.id);
}

/** A live contact and an erased one, both already on the stream through the reactor, and the offsets after them. */
async function liveAndErased(): Promise<{ live: string; erased: string; from: bigint[] }> {
  const live = await createContact('Live');
  const erased = await createContact('Gone');
  expect((await call('POST', `/v1/contacts/${erased}/erasure`, DPO, {}, {}, 10)).body).toMatchObject({ alreadyErased: false });
  await expectEventually(
    async () => {
      const all = await recordsSince([]);
      expect(all.some((record) => record.key === pseudonymOf(key(), live))).toBe(true);
      expect(all.some((record) => record.key === pseudonymOf(key(), erased) && isTombstone(record))).toBe(true);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return { live, erased, from: await kafka.endOffsets(ANALYTICS_CONTACTS_TOPIC) };
}

describe('the analytics backfill', () => {
  it('republishes every subject the database holds: a profile for a live contact, a tombstone for an erased one, with progress', async () => {
    const { live, erased, from } = await liveAndErased();
    const progress: BackfillProgress[] = [];

    const outcome = await backfill().backfill((step) => progress.push(step));

    const after = await recordsSince(from);
    const ofLive = after.filter((record) => record.key === pseudonymOf(key(), live));
    expect(ofLive).toHaveLength(1);
    expect(fromBinary(ContactProfileSchema, ofLive[0]!.value!).countries).toEqual(['DE']);
    expect(after.filter((record) => record.key === pseudonymOf(key(), erased)).map(isTombstone)).toEqual([true]);
    expect(outcome.subjects).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ step: 'republish', done: outcome.subjects, total: outcome.subjects });
  }, 120_000);
});

describe('rotating the analytics key', () => {
  it('republishes under the new pseudonyms, tombstones the old ones, and replaces the key in its file', async () => {
    const { live, erased, from } = await liveAndErased();
    const file = join(scratch, 'analytics.key');
    const retired = key();
    await writePrivateFile(file, retired.toString('hex'), { exclusive: true });

    const rotation = await beginAnalyticsKeyRotation(file);
    expect(rotation.retired.equals(retired)).toBe(true);
    expect(rotation.next.equals(retired)).toBe(false);
    const outcome = await backfill().rotate(rotation);

    const after = await recordsSince(from);
    const under = (k: Buffer, contactId: string) => after.filter((record) => record.key === pseudonymOf(k, contactId)).map(isTombstone);
    expect(under(rotation.next, live)).toEqual([false]);
    expect(under(rotation.next, erased)).toEqual([true]);
    expect(under(retired, live)).toEqual([true]);
    expect(under(retired, erased)).toEqual([true]);
    expect(outcome.retired).toBe(outcome.subjects);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex').equals(rotation.next)).toBe(true);
    expect(existsSync(`${file}.next`)).toBe(false);
  }, 120_000);

  it('refuses a key file that does not exist, with a stable code', async () => {
    await expect(beginAnalyticsKeyRotation(join(scratch, `missing-${randomBytes(4).toString('hex')}.key`))).rejects.toMatchObject({
      code: 'ANALYTICS_KEY_MISSING',
    });
  });

  it('publishes a tombstone, not a dead letter, for a contact whose key is gone while its row is not purged yet (an erasure under way)', async () => {
    const id = await createContact('Mid');
    // The reactor's profile for the creation first, so that what follows is the republish's alone.
    await expectEventually(async () => expect((await recordsSince([])).some((record) => record.key === pseudonymOf(key(), id))).toBe(true), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const from = await kafka.endOffsets(ANALYTICS_CONTACTS_TOPIC);
    await contacts.app.get<SubjectShredder>(SUBJECT_SHREDDER).shredSubject(id, 'ERASURE_REQUEST');

    try {
      await expect(contacts.app.get(AnalyticsStream).republish([id])).resolves.toBe(1);
    } finally {
      // What the erasure would finish: no other spec may meet a row whose key is gone.
      await withTransaction(contacts.app.get<Pool>(PG_POOL), (tx) => contacts.app.get(ContactsRepository).purge(tx, id, new Date()));
    }

    const after = (await recordsSince(from)).filter((record) => record.key === pseudonymOf(key(), id));
    expect(after.map(isTombstone)).toContain(true);
    expect(after.map(isTombstone)).not.toContain(false);
  });
});
