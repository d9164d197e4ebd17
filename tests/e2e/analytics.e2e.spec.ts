// The analytics stream as an analyst consumes it (issue 14, docs/analytics.md): a plain Kafka consumer signed in as
// the `analyst` principal reads `crm.analytics.v1.contacts` while the platform is written to through the gateway. It
// finds pseudonyms only — never a contact id, never a value the analytics purpose may not see — and an objection to
// analytics turns the subject into tombstones, which later changes to the contact do not undo. Waiting is polling.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContactProfileSchema, fromBinary } from '@crm/contracts';
import { KafkaCluster, type IncomingMessage } from '@crm/messaging';
import { adminSession, expectEventually, request as call, staffSession, stateDir, testPlatformConfig, uniqueName } from '@crm/testing';

const TOPIC = 'crm.analytics.v1.contacts';
const analystConfig = testPlatformConfig('e2e', { CRM_KAFKA_USER: 'analyst' }).kafka;
const analyst = new KafkaCluster({ name: 'primary', brokers: analystConfig.primaryBrokers, sasl: analystConfig.sasl, clientId: uniqueName('e2e-analyst') });
afterAll(() => analyst.close());

let support: string;
beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'analytics')).accessToken;
});

/** The subject's pseudonym, computed with the platform's analytics key (which an analyst never has). */
function pseudonymOf(contactId: string): string {
  const key = Buffer.from(readFileSync(join(stateDir, 'secrets', 'analytics.key'), 'utf8').trim(), 'hex');
  return createHmac('sha256', key).update(`crm.analytics.v1/contact/${contactId}`).digest('hex');
}

/** Every record of the topic, as the analyst reads it (a group of the analyst's, never committed). */
async function analystReads(): Promise<IncomingMessage[]> {
  const records: IncomingMessage[] = [];
  await analyst.readToEnd([TOPIC], (message) => void records.push(message), { groupId: uniqueName('analyst-e2e'), timeoutMs: 60_000 });
  return records;
}
const isTombstone = (record: IncomingMessage): boolean => record.value === null || record.value === undefined;

/** The subject's records once there are more than `after` of them (the stream is compacted, but not this fast). */
async function recordsOf(subject: string, after = 0): Promise<IncomingMessage[]> {
  let mine: IncomingMessage[] = [];
  await expectEventually(
    async () => {
      mine = (await analystReads()).filter((record) => record.key === subject);
      expect(mine.length).toBeGreaterThan(after);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return mine;
}

describe('the analytics stream, read by an analyst with a plain Kafka consumer', () => {
  it('holds the profile under a pseudonym, with only what analytics may see; an objection ends it in tombstones that later changes do not undo', async () => {
    const marker = uniqueName('Anx').replace(/[^a-z0-9]/gi, '');
    const email = `${marker.toLowerCase()}@example.com`;
    const created = await call('POST', '/v1/contacts', support, {
      purpose: 'customer-service',
      data: {
        name: { given: marker, family: 'Kowalska' },
        emails: [email],
        addresses: [{ street: `${marker} 5`, postalCode: '00-950', city: 'Warszawa', country: 'PL' }],
        preferences: { channels: ['email'], categories: ['garden'] },
      },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const subject = pseudonymOf(id);

    const first = await recordsOf(subject);
    const profile = first.at(-1)!;
    expect(isTombstone(profile)).toBe(false);
    expect(fromBinary(ContactProfileSchema, profile.value!)).toMatchObject({
      subject,
      countries: ['PL'],
      preferenceCategories: ['garden'],
      postalPrefixes: [],
    });
    // Nothing that names the person, in the key, the value or the headers: not the id, no personal value.
    const bytes = Buffer.concat([Buffer.from(profile.key ?? ''), profile.value!, Buffer.from(JSON.stringify(profile.headers))]).toString('latin1');
    for (const personal of [id, marker, email, 'Kowalska', 'Warszawa', '00-950'])
      expect({ personal, found: bytes.includes(personal) }).toEqual({ personal, found: false });
    expect(subject).toMatch(/^[0-9a-f]{64}$/);

    expect((await call('POST', `/v1/contacts/${id}/objections`, support, { purpose: 'analytics' })).status).toBe(201);
    const objected = await recordsOf(subject, first.length);
    expect(isTombstone(objected.at(-1)!)).toBe(true);

    // A later change of the contact is the same subject's event, in the same partition: its record comes after the
    // tombstone, and is a tombstone again — no profile while the objection stands.
    const rectified = await call('PATCH', `/v1/contacts/${id}`, support, {
      purpose: 'customer-service',
      changes: { preferences: { channels: ['email'], categories: ['books'] } },
    });
    expect(rectified.status).toBe(200);
    const later = await recordsOf(subject, objected.length);
    expect(later.slice(objected.length).map(isTombstone)).not.toContain(false);
  }, 240_000);
});
