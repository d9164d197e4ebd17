// Consent records through the gateway (issue 12, first increment): support staff record a customer's consent to
// marketing, its withdrawal and an objection; a DPO reads the history (the proof) and finds it in the audit trail;
// the contact's erasure makes the evidence unreadable. Users are created by the bootstrap administrator.
import { adminSession, createStaffUser, expectEventually, passwordSignIn, request as call, signIn, uniqueName } from '@crm/testing';

let support: string;
let sales: string;
let dpo: string;

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = await passwordSignIn(await createStaffUser(admin, 'support', 'consent'));
  sales = await passwordSignIn(await createStaffUser(admin, 'sales', 'consent'));
  const dpoUser = await createStaffUser(admin, 'dpo', 'consent');
  dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
});

async function createContact(): Promise<string> {
  const tag = uniqueName('c').replace(/[^a-z]/gi, '');
  const created = await call('POST', '/v1/contacts', support, { purpose: 'customer-service', data: { name: { given: `Ida${tag}`, family: 'Nowak' } } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const marketingConsent = (reference: string) => ({
  purpose: 'marketing',
  noticeVersion: '2026-11',
  channel: 'web-form',
  evidence: { kind: 'double-opt-in', reference },
});

describe('consent through the gateway', () => {
  it('lists the purposes with their lawful bases', async () => {
    const catalogue = await call('GET', '/v1/purposes', sales);
    expect(catalogue.status).toBe(200);
    const bases = Object.fromEntries(catalogue.body.purposes.map((purpose: { code: string; lawfulBasis: string }) => [purpose.code, purpose.lawfulBasis]));
    expect(bases).toMatchObject({ marketing: 'consent', sales: 'contract', analytics: 'legitimate-interests', 'data-subject-rights': 'legal-obligation' });
  });

  it('gives consent to marketing, shows the history, withdraws it, records an objection, and the DPO finds it in the audit trail', async () => {
    const contactId = await createContact();
    const evidence = `confirmation-${uniqueName('e')}`;

    const given = await call('POST', `/v1/contacts/${contactId}/consents`, support, marketingConsent(evidence));
    expect([given.status, given.body.version, given.body.consent.status]).toEqual([201, 1, 'given']);

    const history = await call('GET', `/v1/contacts/${contactId}/consents`, dpo);
    expect(history.status).toBe(200);
    expect(history.body.consents.marketing).toMatchObject({ status: 'given', noticeVersion: '2026-11', channel: 'web-form' });
    expect(history.body.history).toEqual([
      expect.objectContaining({ version: 1, type: 'ConsentGiven', evidence: { kind: 'double-opt-in', reference: evidence } }),
    ]);

    const withdrawn = await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, support, {});
    expect([withdrawn.status, withdrawn.body.consent.status]).toEqual([200, 'withdrawn']);
    const objection = await call('POST', `/v1/contacts/${contactId}/objections`, support, { purpose: 'marketing' });
    expect([objection.status, objection.body.version]).toEqual([201, 3]);

    const after = await call('GET', `/v1/contacts/${contactId}/consents`, sales);
    expect(after.body.history.map((entry: { type: string }) => entry.type)).toEqual(['ConsentGiven', 'ConsentWithdrawn', 'ObjectionRecorded']);
    expect(Object.keys(after.body.objections)).toEqual(['marketing']);

    // Published on crm.consent.v1.events and ingested by the audit service like every event topic.
    await expectEventually(
      async () => {
        const entries = (await call('GET', `/v1/audit/entries?subjectId=${contactId}&limit=100`, dpo)).body.entries as Array<{ action: string }>;
        expect(entries.map((entry) => entry.action).filter((action) => action.startsWith('crm.consent.'))).toEqual([
          'crm.consent.v1.ConsentGiven',
          'crm.consent.v1.ConsentWithdrawn',
          'crm.consent.v1.ObjectionRecorded',
        ]);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('refuses bad input with stable codes, writes nothing, and needs consent:write to write', async () => {
    const contactId = await createContact();
    const secret = `Leak${uniqueName('x')}`;
    const cases = [
      ['POST', `/v1/contacts/${contactId}/consents`, { ...marketingConsent(secret), purpose: 'gossip' }, 400, 'CONSENT_PURPOSE_UNKNOWN'],
      ['POST', `/v1/contacts/${contactId}/consents`, { ...marketingConsent(secret), purpose: 'sales' }, 400, 'CONSENT_BASIS_NOT_CONSENT'],
      ['POST', `/v1/contacts/${contactId}/consents`, { ...marketingConsent(secret), channel: 'carrier-pigeon' }, 400, 'REQUEST_INVALID'],
      ['POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, {}, 409, 'CONSENT_NOT_GIVEN'],
      ['POST', `/v1/contacts/${contactId}/objections`, { purpose: 'sales' }, 400, 'OBJECTION_NOT_APPLICABLE'],
    ] as const;
    for (const [method, path, body, status, code] of cases) {
      const response = await call(method, path, support, body);
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status, code });
      expect(response.text).not.toContain(secret);
    }
    expect((await call('POST', `/v1/contacts/${contactId}/consents`, sales, marketingConsent(secret))).status).toBe(403);
    expect((await call('GET', `/v1/contacts/${contactId}/consents`, support)).body).toMatchObject({ version: 0, history: [] });
  });

  it("the contact's erasure reaches its consent evidence: unreadable afterwards, and nothing more is recorded", async () => {
    const contactId = await createContact();
    const evidence = `erased-${uniqueName('e')}`;
    expect((await call('POST', `/v1/contacts/${contactId}/consents`, support, marketingConsent(evidence))).status).toBe(201);
    expect((await call('POST', `/v1/contacts/${contactId}/erasure`, dpo)).body).toMatchObject({ id: contactId, alreadyErased: false });

    await expectEventually(
      async () => {
        const view = await call('GET', `/v1/contacts/${contactId}/consents`, dpo);
        expect(view.body.history.map((entry: { evidence: unknown }) => entry.evidence)).toEqual([null]);
        expect(view.text).not.toContain(evidence);
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    const refused = await call('POST', `/v1/contacts/${contactId}/consents`, support, marketingConsent('again'));
    expect([refused.status, refused.body.code]).toEqual([410, 'CONSENT_CONTACT_ERASED']);
  });
});
