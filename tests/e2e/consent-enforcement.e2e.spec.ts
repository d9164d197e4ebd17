// Consent and objections enforced where the data is (issue 12): contacts learns them from consent's events and refuses
// processing whose lawful basis is missing. Through the gateway: consent to marketing given → a marketing read
// succeeds; withdrawn → within seconds the read answers CONSENT_REQUIRED and a marketing export leaves the contact out;
// an objection blocks marketing on legitimate interests; each refusal is in the audit trail. Waiting is polling.
// Marketing reads and exports are a marketing lead's (a custom role: contacts:read, contacts:export, purpose:marketing):
// since issue 15 a purpose is what the roles allow, and the DPO's are a subject's requests and legal claims.
import { adminSession, api, createStaffUser, expectEventually, request as call, signIn, staffSession, uniqueName, publishedEnglishNotice } from '@crm/testing';

let support: string;
let dpo: string;
let marketer: string;
/** The English privacy notice the DPO publishes in beforeAll: consent is given against it. */
let noticeVersion = '';

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'enforce')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'enforce');
  dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
  noticeVersion = await publishedEnglishNotice(dpo);
  const role = `marketing-lead-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('POST', '/v1/roles', { name: role, permissions: ['contacts:read', 'contacts:export', 'purpose:marketing'] }, admin)).status).toBe(201);
  // Last, so its second factor is the freshest for the exports' step-up.
  marketer = (await staffSession(admin, role, 'enforce')).accessToken;
});

/** Consent is enforced within seconds: the consent-states projector's latency, with room for a loaded machine. */
const WITHIN_SECONDS = { timeoutMs: 15_000, intervalMs: 100 };

async function createContact(): Promise<{ id: string; email: string }> {
  const tag = uniqueName('c')
    .replace(/[^a-z]/gi, '')
    .toLowerCase();
  const email = `ida.${tag}@example.com`;
  const created = await call('POST', '/v1/contacts', support, {
    purpose: 'customer-service',
    data: { name: { given: `Ida${tag}`, family: 'Nowak' }, emails: [email] },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  // Consent learns contacts from contacts' events a moment after their creation (404 CONSENT_CONTACT_UNKNOWN until
  // then); a withdrawal of a consent never given writes nothing either way, so polling it tells when consent knows.
  await expectEventually(
    async () => expect((await call('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, support, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
    WITHIN_SECONDS,
  );
  return { id, email };
}

const marketingConsent = () => ({ purpose: 'marketing', noticeVersion, channel: 'web-form', evidence: { kind: 'double-opt-in', reference: 'enforce' } });

describe('consent enforced in contacts, through the gateway', () => {
  it('a marketing read needs consent in force: given → read, withdrawn → CONSENT_REQUIRED within seconds, and out of search and export', async () => {
    const { id, email } = await createContact();
    const read = () => call('GET', `/v1/contacts/${id}?purpose=marketing`, marketer);
    const exported = async () => {
      const response = await call('POST', '/v1/contacts/export', marketer, { purpose: 'marketing', contactIds: [id] });
      expect(response.status).toBe(200);
      return response.body.contacts.map((row: { id: string }) => row.id);
    };
    const found = async () =>
      (await call('GET', `/v1/contacts?purpose=marketing&email=${encodeURIComponent(email)}`, marketer)).body.items.map((row: { id: string }) => row.id);

    const before = await read();
    expect([before.status, before.body.code]).toEqual([403, 'CONSENT_REQUIRED']);

    expect((await call('POST', `/v1/contacts/${id}/consents`, support, marketingConsent())).status).toBe(201);
    await expectEventually(async () => expect((await read()).status).toBe(200), WITHIN_SECONDS);
    expect((await read()).body.data).toEqual({ name: expect.any(Object), emails: [email] });
    expect(await exported()).toEqual([id]);
    expect(await found()).toEqual([id]);

    expect((await call('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, support, {})).status).toBe(200);
    await expectEventually(async () => expect([(await read()).status, (await read()).body.code]).toEqual([403, 'CONSENT_REQUIRED']), WITHIN_SECONDS);
    expect(await exported()).toEqual([]);
    expect(await found()).toEqual([]);
    const purchases = await call('GET', `/v1/contacts/${id}/transactions?purpose=marketing`, marketer);
    expect([purchases.status, purchases.body.code]).toEqual([403, 'CONSENT_REQUIRED']);
    // Purposes on other bases are not concerned.
    expect((await call('GET', `/v1/contacts/${id}?purpose=customer-service`, dpo)).status).toBe(200);
  });

  it('an objection blocks marketing on legitimate interests (and on any basis), and the refusals are in the audit trail', async () => {
    const { id } = await createContact();
    const soft = () => call('GET', `/v1/contacts/${id}?purpose=marketing&legalBasis=legitimate-interests`, marketer);
    expect((await soft()).status).toBe(200);

    expect((await call('POST', `/v1/contacts/${id}/objections`, support, { purpose: 'marketing' })).status).toBe(201);
    await expectEventually(async () => expect([(await soft()).status, (await soft()).body.code]).toEqual([403, 'OBJECTION_RECORDED']), WITHIN_SECONDS);
    expect((await call('GET', `/v1/contacts/${id}?purpose=marketing`, marketer)).body.code).toBe('OBJECTION_RECORDED');
    const exported = await call('POST', '/v1/contacts/export', marketer, { purpose: 'marketing', legalBasis: 'legitimate-interests', contactIds: [id] });
    expect(exported.body.rowCount).toBe(0);
    const claimed = await call('GET', `/v1/contacts/${id}?purpose=marketing&legalBasis=contract`, marketer);
    expect([claimed.status, claimed.body.code]).toEqual([400, 'LEGAL_BASIS_NOT_APPLICABLE']);

    await expectEventually(
      async () => {
        const entries = (await call('GET', `/v1/audit/entries?subjectId=${id}&limit=100`, dpo)).body.entries as Array<{
          action: string;
          purpose: string;
          legalBasis: string;
        }>;
        const refusals = entries.filter((entry) => entry.action === 'crm.contacts.v1.ContactProcessingRefused');
        expect(refusals.map((entry) => [entry.purpose, entry.legalBasis])).toEqual(
          expect.arrayContaining([
            ['marketing', 'legitimate_interests'],
            ['marketing', 'consent'],
          ]),
        );
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});
