// The data-subject request desk through the gateway (issue 12): a DPO, signed in with a second factor, files a
// customer's access request, verifies the requester's identity, finds it among the open requests, works it and
// completes it; completing it again is refused, and staff without requests:manage are refused everywhere. Users are
// created by the bootstrap administrator; the contact by support staff. A marker planted in a request's texts is then
// looked for in every file the platform writes, before and after the contact's erasure.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

import { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import {
  adminSession,
  createStaffUser,
  expectEventually,
  filesContaining,
  gateway,
  request as call,
  signIn,
  signInAgain,
  staffSession,
  stateDir,
  testPlatformConfig,
  uniqueName,
  envelopeIn,
} from '@crm/testing';

let support: string;
let dpo: string;
let renewDpo: () => Promise<string>;

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const config = testPlatformConfig('consent', { CRM_PG_DATABASE: 'consent' });
const kafka = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'e2e-request-desk' });
const roots = {
  kafka: [join(stateDir, 'kafka', 'primary'), join(stateDir, 'kafka', 'backup')],
  postgres: [join(stateDir, 'postgres', 'data')],
  redis: [join(stateDir, 'redis')],
  logs: [join(stateDir, 'logs')],
};
afterAll(() => kafka.close());

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  // Support sees personal data, so it signs in with a second factor like every such role (issue 15).
  support = (await staffSession(admin, 'support', 'desk')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'desk');
  // Signed in with TOTP just now: the request routes' step-up is satisfied for the platform's window.
  const enrolled = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  dpo = enrolled.accessToken;
  renewDpo = async () => (dpo = (await signInAgain(dpoUser.email, dpoUser.password, enrolled.secret!)).accessToken);
});

async function createContact(): Promise<string> {
  const tag = uniqueName('c').replace(/[^a-z]/gi, '');
  const created = await call('POST', '/v1/contacts', support, { purpose: 'customer-service', data: { name: { given: `Ola${tag}`, family: 'Kowal' } } });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  // Consent learns contacts from contacts' events a moment after their creation, and files no request about an id it
  // has not learnt (404 REQUEST_CONTACT_UNKNOWN); a withdrawal of a consent never given writes nothing either way.
  await expectEventually(
    async () => expect((await call('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, support, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return id;
}

describe('the request desk through the gateway', () => {
  it('a DPO files an access request, verifies the requester, lists it among the open ones, works and completes it', async () => {
    const contactId = await createContact();
    const receivedAt = new Date().toISOString();
    const filed = await call('POST', '/v1/requests', dpo, {
      type: 'access',
      contactId,
      channel: 'email',
      channelReference: 'e-mail to iod@example.com',
      receivedAt,
    });
    expect([filed.status, filed.body.status, filed.body.requestType, filed.body.contactId]).toEqual([201, 'received', 'access', contactId]);
    const id = filed.body.requestId as string;
    expect(Date.parse(filed.body.dueAt) - Date.parse(receivedAt)).toBeGreaterThanOrEqual(27 * 24 * 3600 * 1000);

    const unverified = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([unverified.status, unverified.body.code]).toEqual([409, 'REQUEST_NOT_VERIFIED']);
    const verified = await call('POST', `/v1/requests/${id}/verification`, dpo, { method: 'signed-in-account', evidence: 'asked from the customer portal' });
    expect([verified.status, verified.body.status]).toEqual([200, 'verified']);

    const open = await call('GET', '/v1/requests?status=open', dpo);
    expect(open.status).toBe(200);
    expect(open.body.requests).toEqual(expect.arrayContaining([expect.objectContaining({ requestId: id, status: 'verified', overdue: false })]));

    expect((await call('POST', `/v1/requests/${id}/start`, dpo)).body.status).toBe('in-progress');
    const completed = await call('POST', `/v1/requests/${id}/completion`, dpo, { reference: 'package sent by e-mail' });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const again = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([again.status, again.body.code]).toEqual([409, 'REQUEST_ALREADY_CLOSED']);

    const detail = await call('GET', `/v1/requests/${id}`, dpo);
    expect(detail.body.history.map((entry: { type: string }) => entry.type)).toEqual([
      'RequestFiled',
      'IdentityVerified',
      'RequestStarted',
      'RequestCompleted',
    ]);
    const stillOpen = await call('GET', '/v1/requests?status=open', dpo);
    expect(stillOpen.body.requests.map((request: { requestId: string }) => request.requestId)).not.toContain(id);

    // The request's events reach the DPO's audit trail under the contact, with their purpose.
    await expectEventually(
      async () => {
        const entries = (await call('GET', `/v1/audit/entries?subjectId=${contactId}&limit=100`, dpo)).body.entries as Array<{
          action: string;
          purpose: string;
        }>;
        const desk = entries.filter((entry) => entry.action.startsWith('crm.consent.v1.SubjectRequest'));
        expect(desk.map((entry) => entry.action)).toEqual([
          'crm.consent.v1.SubjectRequestFiled',
          'crm.consent.v1.SubjectRequestIdentityVerified',
          'crm.consent.v1.SubjectRequestStarted',
          'crm.consent.v1.SubjectRequestCompleted',
        ]);
        expect(new Set(desk.map((entry) => entry.purpose))).toEqual(new Set(['data-subject-rights']));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it("completing an objection request records the objection: the contact's consents show it", async () => {
    const contactId = await createContact();
    const filed = await call('POST', '/v1/requests', dpo, { type: 'objection', contactId, channel: 'phone', receivedAt: new Date().toISOString() });
    const id = filed.body.requestId as string;
    expect(
      (await call('POST', `/v1/requests/${id}/verification`, dpo, { method: 'phone-callback', evidence: 'called back on the number on file' })).status,
    ).toBe(200);
    const completed = await call('POST', `/v1/requests/${id}/completion`, dpo, { purpose: 'marketing' });
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const consents = await call('GET', `/v1/contacts/${contactId}/consents`, support);
    expect(Object.keys(consents.body.objections)).toEqual(['marketing']);
  });

  it('refuses staff without requests:manage (403) and anonymous callers (401) on every request route', async () => {
    const contactId = await createContact();
    const filed = await call('POST', '/v1/requests', dpo, { type: 'rectification', contactId, channel: 'phone', receivedAt: new Date().toISOString() });
    expect(filed.status).toBe(201);
    const id = filed.body.requestId as string;
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/v1/requests', { type: 'access', contactId, channel: 'email', receivedAt: new Date().toISOString() }],
      ['GET', '/v1/requests?status=open'],
      ['GET', `/v1/requests/${id}`],
      ['POST', `/v1/requests/${id}/verification`, { method: 'other', evidence: 'x' }],
      ['POST', `/v1/requests/${id}/extension`, { months: 1, reason: 'x' }],
      ['POST', `/v1/requests/${id}/start`],
      ['POST', `/v1/requests/${id}/completion`, {}],
      ['POST', `/v1/requests/${id}/refusal`, { reason: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      const refused = await call(method, path, support, body);
      expect({ method, path, status: refused.status }).toEqual({ method, path, status: 403 });
      const anonymous = await fetch(`${gateway}${path}`, { method });
      expect({ method, path, status: anonymous.status }).toEqual({ method, path, status: 401 });
    }
    const untouched = await call('GET', `/v1/requests/${id}`, dpo);
    expect([untouched.body.status, untouched.body.version]).toEqual(['received', 1]);
  });
  it('refuses a request about a contact that does not exist: 404 REQUEST_CONTACT_UNKNOWN, nothing filed', async () => {
    const contactId = '01900000-0000-7000-8000-0000000dead1'.replace('dead1', String(randomInt(10_000, 99_999)));
    const refused = await call('POST', '/v1/requests', dpo, { type: 'erasure', contactId, channel: 'email', receivedAt: new Date().toISOString() });
    expect([refused.status, refused.body.code]).toEqual([404, 'REQUEST_CONTACT_UNKNOWN']);
    const open = await call('GET', '/v1/requests?status=open', dpo);
    expect(open.body.requests.filter((request: { contactId: string }) => request.contactId === contactId)).toEqual([]);
  });
});

/** Waits (reading the topic from its start) until the request's event of this type has been relayed to Kafka. */
async function relayed(contactId: string, payloadType: string): Promise<void> {
  const matches = (message: { value: Uint8Array } | undefined) => {
    if (message === undefined) return false;
    const envelope = envelopeIn(message.value);
    return envelope?.subjectId === contactId && envelope.payloadType === payloadType;
  };
  const seen = await kafka.readFromStart('crm.consent.v1.events', (messages) => matches(messages.at(-1)), {
    groupId: uniqueName('e2e-desk'),
    timeoutMs: 60_000,
  });
  expect(matches(seen.at(-1))).toBe(true);
}

async function scan(marker: string): Promise<Record<keyof typeof roots, string[]>> {
  const pool = createPool(config.postgres!, { applicationName: 'e2e-request-desk' });
  try {
    await pool.query('CHECKPOINT');
  } finally {
    await pool.end();
  }
  const entries = await Promise.all(Object.entries(roots).map(async ([name, dirs]) => [name, await filesContaining(dirs, marker)] as const));
  return Object.fromEntries(entries) as Record<keyof typeof roots, string[]>;
}

describe("a request's texts at rest", () => {
  it('are in no Kafka segment, Postgres file, Redis file or log, before and after the contact is erased', async () => {
    const marker = `deskmark${letters(14)}`;
    const contactId = await createContact();
    const filed = await call('POST', '/v1/requests', dpo, {
      type: 'erasure',
      contactId,
      channel: 'paper',
      channelReference: `letter from ${marker}`,
      receivedAt: new Date().toISOString(),
    });
    expect(filed.status).toBe(201);
    const id = filed.body.requestId as string;
    expect((await call('POST', `/v1/requests/${id}/verification`, dpo, { method: 'id-document', evidence: `passport of ${marker}` })).status).toBe(200);
    expect((await call('POST', `/v1/requests/${id}/extension`, dpo, { months: 1, reason: `${marker} sent many requests` })).status).toBe(200);
    expect((await call('POST', `/v1/requests/${id}/refusal`, dpo, { reason: `${marker} is not the account holder` })).status).toBe(200);
    await relayed(contactId, 'crm.consent.v1.SubjectRequestRefused');
    expect((await call('GET', `/v1/requests/${id}`, dpo)).text).toContain(marker);

    expect(await scan(marker)).toEqual({ kafka: [], postgres: [], redis: [], logs: [] });
    // Controls: the request id is written in the clear, and found where it is written, so each scan can fail.
    expect(await filesContaining(roots.kafka, id)).not.toEqual([]);
    expect(await filesContaining(roots.postgres, id)).not.toEqual([]);

    const erased = await call('POST', `/v1/contacts/${contactId}/erasure`, await renewDpo());
    expect(erased.status).toBe(200);
    // The consent service learns of the shredded key from the key-vault events: poll until its texts read null.
    await expectEventually(
      async () => {
        const detail = await call('GET', `/v1/requests/${id}`, dpo);
        expect(detail.status).toBe(200);
        const [filedEntry, verifiedEntry, extendedEntry, refusedEntry] = detail.body.history;
        expect([filedEntry.channelReference, verifiedEntry.evidence, extendedEntry.reason, refusedEntry.reason]).toEqual([null, null, null, null]);
        expect(detail.text).not.toContain(marker);
      },
      { timeoutMs: 30_000 },
    );
    expect(await scan(marker)).toEqual({ kafka: [], postgres: [], redis: [], logs: [] });
  });
});
