// The request desk doing the work of a request through the gateway (issue 12): an access request completes with a
// package holding the contact's data, purchases and consents and the accesses to them from the audit trail (JSON and
// printable HTML, sealed at rest); a portability request with JSON and CSV; an erasure request with the contact
// erased and a receipt whose audit inclusion proof verifies. A marker planted in the contact's data is then looked for
// in every file the platform writes, before and after the erasure: the packages are sealed.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { createPool } from '@crm/postgres';
import {
  adminSession,
  createStaffUser,
  expectEventually,
  filesContaining,
  pinnedAuditPublicKey,
  request as call,
  signIn,
  renewingSession,
  staffSession,
  stateDir,
  testPlatformConfig,
  verifyAuditInclusion,
  type AuditInclusionProofView,
} from '@crm/testing';

let support: { id: string; accessToken: string };
let dpo: string;
let renewDpo: () => Promise<string>;

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
const marker = `workmark${letters(14)}`;
const config = testPlatformConfig('consent', { CRM_PG_DATABASE: 'consent' });
const roots = {
  kafka: [join(stateDir, 'kafka', 'primary'), join(stateDir, 'kafka', 'backup')],
  postgres: [join(stateDir, 'postgres', 'data')],
  redis: [join(stateDir, 'redis')],
  logs: [join(stateDir, 'logs')],
};

interface Entry {
  eventId: string;
  occurredAt: string;
  action: string;
  actorId: string;
  purpose: string;
}

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = await staffSession(admin, 'support', 'work');
  const dpoUser = await createStaffUser(admin, 'dpo', 'work');
  const enrolled = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  dpo = enrolled.accessToken;
  // The platform's step-up window may be short (the test environment's is): signed in again when it gets old.
  const session = renewingSession(dpoUser, { accessToken: enrolled.accessToken, secret: enrolled.secret! });
  renewDpo = async () => (dpo = await session());
});

/** A contact with the marker in its name and e-mail, a purchase, and a read by support staff. */
async function createContact(): Promise<string> {
  const created = await call('POST', '/v1/contacts', support.accessToken, {
    purpose: 'customer-service',
    data: { name: { given: `Ada${marker}`, family: 'Nowak' }, emails: [`${marker}@example.com`] },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const bought = await call('POST', `/v1/contacts/${id}/transactions`, support.accessToken, {
    purpose: 'customer-service',
    transaction: { description: `Bike for ${marker}`, amountCents: 89_900, currency: 'EUR', occurredAt: '2026-11-20T09:30:00Z' },
  });
  expect(bought.status).toBe(201);
  expect((await call('GET', `/v1/contacts/${id}?purpose=customer-service`, support.accessToken)).status).toBe(200);
  // Consent files no request about a contact it has not learnt of yet (404 REQUEST_CONTACT_UNKNOWN): wait until it has
  // (a withdrawal of a consent never given writes nothing either way).
  await expectEventually(
    async () => expect((await call('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, support.accessToken, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return id;
}

/** Files a request and verifies the requester, as the DPO (signed in again for the step-up). */
async function verifiedRequest(type: string, contactId: string): Promise<string> {
  await renewDpo();
  const filed = await call('POST', '/v1/requests', dpo, { type, contactId, channel: 'email', receivedAt: new Date().toISOString() });
  expect(filed.status).toBe(201);
  const id = filed.body.requestId as string;
  expect((await call('POST', `/v1/requests/${id}/verification`, dpo, { method: 'email-confirmation', evidence: 'confirmed by e-mail' })).status).toBe(200);
  return id;
}

/** Waits until the audit trail holds support's read of the contact, so a package built now must show it. */
async function readIsInTheTrail(contactId: string): Promise<Entry> {
  return expectEventually(
    async () => {
      const page = await call('GET', `/v1/audit/entries?subjectId=${contactId}&action=crm.contacts.v1.ContactDataAccessed&limit=100`, dpo);
      const read = (page.body.entries as Entry[]).find((entry) => entry.actorId === support.id);
      expect(read?.actorId).toBe(support.id);
      return read!;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

async function scan(text: string): Promise<Record<keyof typeof roots, string[]>> {
  const pool = createPool(config.postgres!, { applicationName: 'e2e-request-desk-work' });
  try {
    await pool.query('CHECKPOINT');
  } finally {
    await pool.end();
  }
  const entries = await Promise.all(Object.entries(roots).map(async ([name, dirs]) => [name, await filesContaining(dirs, text)] as const));
  return Object.fromEntries(entries) as Record<keyof typeof roots, string[]>;
}

describe('the request desk does the work of a request', () => {
  let contactId: string;
  let accessId: string;
  let lateAccessId: string;

  beforeAll(async () => {
    contactId = await createContact();
  });

  it("completes an access request with a package of the contact's data, purchases, consents, bases, and the accesses to it", async () => {
    const read = await readIsInTheTrail(contactId);
    accessId = await verifiedRequest('access', contactId);
    const completed = await call('POST', `/v1/requests/${accessId}/completion`, dpo, { reference: 'sent by registered mail' });
    expect([completed.status, completed.body.status, completed.body.package?.formats]).toEqual([200, 'completed', ['json', 'html']]);
    const again = await call('POST', `/v1/requests/${accessId}/completion`, dpo, {});
    expect([again.status, again.body.code]).toEqual([409, 'REQUEST_ALREADY_CLOSED']);

    await renewDpo();
    const json = await call('GET', `/v1/requests/${accessId}/package?format=json`, dpo);
    expect([json.status, json.headers.get('cache-control')]).toEqual([200, 'no-store']);
    const pkg = JSON.parse(json.text) as Record<string, unknown> & {
      contact: { data: { name: { given: string }; emails: string[] } };
      purchases: Array<{ description: string }>;
      fieldsHeld: Array<{ path: string; purposes: Array<{ code: string; lawfulBases: string[] }> }>;
      purposes: Array<{ code: string; lawfulBases: string[] }>;
      accesses: Array<{ actorId: string; action: string; purpose: string; at: string }>;
    };
    expect(pkg).toMatchObject({ format: 'crm.access-package.v1', requestId: accessId, contactId });
    expect(pkg.contact.data.name.given).toBe(`Ada${marker}`);
    expect(pkg.contact.data.emails).toEqual([`${marker}@example.com`]);
    expect(pkg.purchases.map((purchase) => purchase.description)).toEqual([`Bike for ${marker}`]);
    expect(pkg.fieldsHeld.find((field) => field.path === 'name.given')?.purposes).toEqual(
      expect.arrayContaining([{ code: 'customer-service', lawfulBases: ['contract'] }]),
    );
    expect(pkg.purposes.find((purpose) => purpose.code === 'marketing')?.lawfulBases).toEqual(['consent', 'legitimate-interests']);
    expect(pkg.accesses).toEqual(
      expect.arrayContaining([expect.objectContaining({ actorId: support.id, action: 'ContactDataAccessed', purpose: 'customer-service' })]),
    );
    expect(pkg.accesses).toEqual(expect.arrayContaining([expect.objectContaining({ at: read.occurredAt })]));

    const html = await call('GET', `/v1/requests/${accessId}/package?format=html`, dpo);
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toContain(`Ada${marker}`);
    expect(html.text).not.toContain('<script');
    const csv = await call('GET', `/v1/requests/${accessId}/package?format=csv`, dpo);
    expect([csv.status, csv.body.code]).toEqual([404, 'REQUEST_PACKAGE_NOT_FOUND']);
  });

  it('completes a portability request with the data the person provided, as JSON and CSV', async () => {
    const id = await verifiedRequest('portability', contactId);
    const completed = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([completed.status, completed.body.package?.formats]).toEqual([200, ['json', 'csv']]);
    await renewDpo();
    const csv = await call('GET', `/v1/requests/${id}/package?format=csv`, dpo);
    expect([csv.status, csv.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(csv.text.split('\r\n')).toEqual(
      expect.arrayContaining(['section,field,value', `contact,name.given,Ada${marker}`, `purchase,purchases[0].description,Bike for ${marker}`]),
    );
    const json = JSON.parse((await call('GET', `/v1/requests/${id}/package?format=json`, dpo)).text) as { contact: unknown; purchases: unknown[] };
    expect(json.contact).toMatchObject({ name: { given: `Ada${marker}` } });
    expect(json.purchases).toEqual([{ description: `Bike for ${marker}`, amountCents: 89_900, currency: 'EUR', occurredAt: '2026-11-20T09:30:00.000Z' }]);
  });

  it('keeps no package in plaintext: the marker is in no Kafka segment, Postgres file, Redis file or log', async () => {
    lateAccessId = await verifiedRequest('access', contactId);
    expect(await scan(marker)).toEqual({ kafka: [], postgres: [], redis: [], logs: [] });
    // Control: the request id is written in the clear, and found where it is written, so the scan can fail.
    expect(await filesContaining(roots.postgres, accessId)).not.toEqual([]);
  });

  it('completes a rectification request with the changes, and a restriction request with its ground, through contacts', async () => {
    const rectification = await verifiedRequest('rectification', contactId);
    const missing = await call('POST', `/v1/requests/${rectification}/completion`, dpo, {});
    expect([missing.status, missing.body.code]).toEqual([400, 'REQUEST_CHANGES_REQUIRED']);
    const invalid = await call('POST', `/v1/requests/${rectification}/completion`, dpo, { changes: { emails: ['not an address'] } });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'CONTACT_FIELD_INVALID']);
    const rectified = await call('POST', `/v1/requests/${rectification}/completion`, dpo, { changes: { emails: [`new.${marker}@example.com`] } });
    expect([rectified.status, rectified.body.status]).toEqual([200, 'completed']);
    const read = await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support.accessToken);
    expect(read.body.data.emails).toEqual([`new.${marker}@example.com`]);

    const restriction = await verifiedRequest('restriction', contactId);
    const misplaced = await call('POST', `/v1/requests/${restriction}/completion`, dpo, { changes: { emails: [] } });
    expect([misplaced.status, misplaced.body.code, misplaced.body.details?.field]).toEqual([400, 'REQUEST_WORK_NOT_APPLICABLE', 'changes']);
    const noGround = await call('POST', `/v1/requests/${restriction}/completion`, dpo, {});
    expect([noGround.status, noGround.body.code]).toEqual([400, 'REQUEST_RESTRICTION_REASON_REQUIRED']);
    const restricted = await call('POST', `/v1/requests/${restriction}/completion`, dpo, { restrictionReason: 'accuracy-contested' });
    expect([restricted.status, restricted.body.status]).toEqual([200, 'completed']);
    const refused = await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support.accessToken);
    expect([refused.status, refused.body.code]).toEqual([403, 'CONTACT_PROCESSING_RESTRICTED']);
  });

  it('completes an erasure request: the contact is erased, and the receipt names the ledger entry and events, with an inclusion proof that verifies', async () => {
    const id = await verifiedRequest('erasure', contactId);
    const withReference = await call('POST', `/v1/requests/${id}/completion`, dpo, { reference: 'told by letter' });
    expect([withReference.status, withReference.body.code]).toEqual([400, 'REQUEST_REFERENCE_NOT_APPLICABLE']);
    const completed = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const receipt = completed.body.receipt as {
      contactId: string;
      alreadyErased: boolean;
      ledger: { subjectId: string; reason: string; keyVersions: number[] };
      events: Array<{ eventId: string; type: string }>;
      destroyed: { requestPackagesDeleted: number };
    };
    expect(receipt).toMatchObject({ contactId, alreadyErased: false, ledger: { subjectId: contactId, reason: 'ERASURE_REQUEST' } });
    expect(receipt.ledger.keyVersions.length).toBeGreaterThan(0);
    expect(receipt.events.map((event) => event.type)).toEqual(['crm.contacts.v1.ContactErased', 'crm.consent.v1.SubjectRequestCompleted']);
    expect(receipt.destroyed.requestPackagesDeleted).toBe(4);

    expect((await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support.accessToken)).status).toBe(410);
    const again = await call('POST', `/v1/requests/${id}/completion`, dpo, {});
    expect([again.status, again.body.code]).toEqual([409, 'REQUEST_ALREADY_CLOSED']);

    const shown = await expectEventually(
      async () => {
        await renewDpo();
        await call('POST', '/v1/audit/tree-head', dpo);
        const answer = await call('GET', `/v1/requests/${id}/receipt`, dpo);
        expect([answer.status, answer.body.inclusionProof.status]).toEqual([200, 'included']);
        return answer.body;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const { proof } = shown.inclusionProof as { proof: AuditInclusionProofView };
    expect(proof.entry).toMatchObject({ eventId: receipt.events[0]!.eventId, subjectId: contactId, action: 'crm.contacts.v1.ContactErased' });
    // Recomputed here from the entry, against a head whose signature verifies under the pinned key.
    expect(verifyAuditInclusion(proof, pinnedAuditPublicKey(stateDir))).toEqual({ leafHashAsServed: true, treeHeadSigned: true, included: true });
  });

  it('refuses work about an erased contact with stable codes, and the packages are gone', async () => {
    const filed = await call('POST', '/v1/requests', dpo, { type: 'access', contactId, channel: 'email', receivedAt: new Date().toISOString() });
    expect([filed.status, filed.body.code]).toEqual([410, 'REQUEST_CONTACT_ERASED']);
    await renewDpo();
    const late = await call('POST', `/v1/requests/${lateAccessId}/completion`, dpo, {});
    expect([late.status, late.body.code]).toEqual([410, 'REQUEST_CONTACT_ERASED']);
    const gone = await call('GET', `/v1/requests/${accessId}/package?format=json`, dpo);
    expect([gone.status, gone.body.code]).toEqual([404, 'REQUEST_PACKAGE_NOT_FOUND']);
    expect(await scan(marker)).toEqual({ kafka: [], postgres: [], redis: [], logs: [] });
  });
});
