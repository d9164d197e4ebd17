// Proof, not promise: a contact whose name, e-mail, note and purchase carry a unique marker is created,
// viewed, searched, exported and rectified through the gateway; the marker is then looked for in every file the
// platform writes — both Kafka clusters' log segments (the analytics stream's included), the whole Postgres data directory (heap and WAL, after a
// checkpoint), the backup repository (snapshots and WAL archive),
// Redis's files and every service log — before and after the contact is erased. Controls prove each
// scan reaches its files: values the platform does write in the clear (ids) are found there.
import { createHmac, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import {
  adminSession,
  createStaffUser,
  filesContaining,
  request,
  signIn,
  staffSession,
  signInAgain,
  stateDir,
  testPlatformConfig,
  uniqueName,
  envelopeIn,
  expectEventually,
  platformFileRoots,
  scanPlatformFiles,
} from '@crm/testing';

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const marker = `plainmark${letters(14)}`;
const correlation = `scan-${letters(16)}`;
const config = testPlatformConfig('contacts', { CRM_PG_DATABASE: 'contacts' });
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'e2e-plaintext' });
// The mirror's copy of the history ("another server room"): scanned like the primary, once the events reached it.
const backupKafka = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'e2e-plaintext' });
const roots = platformFileRoots(stateDir, process.env.CRM_BACKUP_DIR);

let support: string;
let dpo: string;
let dpoId: string;
let renewDpo: () => Promise<string>;

/** Every request carries the run's correlation id: the control for the log scan. */
const call = (method: string, path: string, token: string, body?: unknown) => request(method, path, token, body, { 'x-correlation-id': correlation });

/** Makes what the servers hold in memory reach their files: Postgres checkpoints; Kafka and Redis write through the page cache. */
async function checkpoint(): Promise<void> {
  const pool = createPool(config.postgres!, { applicationName: 'e2e-plaintext' });
  try {
    await pool.query('CHECKPOINT');
  } finally {
    await pool.end();
  }
}

/** Waits (by reading the topic from its start) until the contact's event has been relayed to Kafka and mirrored to the backup cluster. */
async function relayed(contactId: string, payloadType: string): Promise<void> {
  await relayedTo(kafka, contactId, payloadType);
  await relayedTo(backupKafka, contactId, payloadType);
}

async function relayedTo(cluster: KafkaCluster, contactId: string, payloadType: string): Promise<void> {
  const matches = (message: { value: Uint8Array } | undefined) => {
    if (message === undefined) return false;
    const envelope = envelopeIn(message.value);
    return envelope?.subjectId === contactId && envelope.payloadType === payloadType;
  };
  // Only the newest message is looked at each time: the topic may hold many thousands.
  const seen = await cluster.readFromStart('crm.contacts.v1.events', (messages) => matches(messages.at(-1)), {
    groupId: uniqueName('e2e-plain'),
    timeoutMs: 60_000,
  });
  expect(matches(seen.at(-1))).toBe(true);
}

const scan = () => scanPlatformFiles(roots, marker, checkpoint);

/** The analytics stream's key for a contact: its pseudonym (docs/analytics.md), computed as an analyst never could. */
function pseudonymOf(contactId: string): string {
  const key = Buffer.from(readFileSync(join(stateDir, 'secrets', 'analytics.key'), 'utf8').trim(), 'hex');
  return createHmac('sha256', key).update(`crm.analytics.v1/contact/${contactId}`).digest('hex');
}

/** Waits until the subject's latest record on the analytics stream is a profile (`true`) or a tombstone (`false`). */
async function analyticsRecorded(contactId: string, profile: boolean): Promise<void> {
  const subject = pseudonymOf(contactId);
  await expectEventually(
    async () => {
      // A tombstone's value is null on the wire; the client hands it over as undefined.
      const records: Array<{ value: Buffer | null | undefined }> = [];
      await kafka.readToEnd(['crm.analytics.v1.contacts'], (message) => void (message.key === subject && records.push(message)), {
        groupId: uniqueName('e2e-plain'),
        timeoutMs: 60_000,
      });
      expect(records.length).toBeGreaterThan(0);
      expect((records.at(-1)!.value ?? null) !== null).toBe(profile);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'scan')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'scan');
  const enrolled = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  dpo = enrolled.accessToken;
  dpoId = dpoUser.id;
  // The scans take a while on a big state directory: erasure gets a second factor of its own.
  renewDpo = async () => (dpo = (await signInAgain(dpoUser.email, dpoUser.password, enrolled.secret!)).accessToken);
});
afterAll(() => Promise.all([kafka.close(), backupKafka.close()]));

describe('no plaintext personal data at rest', () => {
  let contactId: string;

  it('after create, view, search, export and rectify: the marker is in no Kafka segment, Postgres file, Redis file or log', async () => {
    const created = await call('POST', '/v1/contacts', support, {
      purpose: 'customer-service',
      data: { name: { given: marker, family: 'Scan' }, emails: [`${marker}@example.com`], notes: [`called about ${marker}`] },
    });
    expect(created.status).toBe(201);
    contactId = created.body.id as string;
    const purchase = await call('POST', `/v1/contacts/${contactId}/transactions`, support, {
      purpose: 'billing',
      transaction: { description: `bike for ${marker}`, amountCents: 12_300, currency: 'EUR', occurredAt: '2026-11-28T12:00:00Z' },
    });
    expect(purchase.status).toBe(201);
    expect((await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support)).text).toContain(marker);
    const found = await call('GET', `/v1/contacts?purpose=customer-service&name=${marker}`, support);
    expect((found.body.items as Array<{ id: string }>).map((item) => item.id)).toEqual([contactId]);
    expect((await call('GET', `/v1/contacts?purpose=billing&email=${marker}@example.com`, support)).text).toContain(contactId);
    const exported = await call('POST', '/v1/contacts/export', dpo, { purpose: 'customer-service', format: 'json', contactIds: [contactId] });
    expect(exported.text).toContain(marker);
    const rectified = await call('PATCH', `/v1/contacts/${contactId}`, support, {
      purpose: 'customer-service',
      changes: { notes: [`still ${marker}`], name: { family: `Scan${marker}` } },
    });
    expect(rectified.status).toBe(200);
    await relayed(contactId, 'crm.contacts.v1.ContactRectified');
    // The analytics stream derived from it holds the contact's profile too, under its pseudonym.
    await analyticsRecorded(contactId, true);

    const hits = await scan();

    expect(hits).toEqual({ kafka: [], postgres: [], redis: [], logs: [], backups: [] });
    // Controls: what is written in the clear is found where it is written, so each scan can fail.
    expect(await filesContaining(roots.kafka.slice(0, 1), contactId)).not.toEqual([]);
    expect(await filesContaining(roots.kafka.slice(1), contactId)).not.toEqual([]);
    expect(await filesContaining(roots.kafka.slice(0, 1), pseudonymOf(contactId))).toContainEqual(expect.stringContaining('crm.analytics.v1.contacts-'));
    expect(await filesContaining(roots.postgres, contactId)).not.toEqual([]);
    expect(await filesContaining(roots.redis, dpoId)).not.toEqual([]);
    expect(await filesContaining(roots.logs, correlation)).not.toEqual([]);
    // The repository is encrypted, so no clear value is a control there; it must at least hold the WAL archive.
    expect(readdirSync(join(roots.backups[0]!, 'archive'), { recursive: true }).length).toBeGreaterThan(0);
  });

  it('after erasure: still nowhere, and no API, search or export returns any of it', async () => {
    const erased = await call('POST', `/v1/contacts/${contactId}/erasure`, await renewDpo());
    expect(erased.status).toBe(200);
    await relayed(contactId, 'crm.contacts.v1.ContactErased');
    await analyticsRecorded(contactId, false);

    expect(await scan()).toEqual({ kafka: [], postgres: [], redis: [], logs: [], backups: [] });
    expect((await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support)).status).toBe(410);
    expect((await call('GET', `/v1/contacts?purpose=customer-service&name=${marker}`, support)).body.items).toEqual([]);
    const exported = await call('POST', '/v1/contacts/export', dpo, { purpose: 'customer-service', format: 'csv', contactIds: [contactId] });
    expect(exported.text).not.toContain(marker);
    expect(exported.text.trim().split('\r\n')).toHaveLength(1);
  });
});
