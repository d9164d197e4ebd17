// Double opt-in for e-mail marketing (issue 12), through the gateway: support staff record a customer's consent to
// marketing by e-mail → 202 with a single-use confirmation token (the caller mails it; the platform sends no e-mail);
// until the person confirms, the marketing read stays CONSENT_REQUIRED; the person confirms without signing in
// (POST /v1/consent-confirmations/{token}) → the read is allowed within seconds; the token is refused a second time,
// and an unknown one is refused. Expiry is proven with an injected clock in confirm-consent.int.spec.ts (the platform
// runs on the real clock, with tokens living 72 hours). Waiting is polling.
import {
  adminSession,
  api,
  expectEventually,
  request as call,
  staffSession,
  createStaffUser,
  signIn,
  uniqueName,
  anonymousRequest,
  publishedEnglishNotice,
} from '@crm/testing';

let support: string;
let marketer: string;
let noticeVersion = '';

const WITHIN_SECONDS = { timeoutMs: 15_000, intervalMs: 100 };

/** The link in the e-mail, as the person's browser follows it: no token of any account. */
const confirm = (token: string) => anonymousRequest('POST', `/v1/consent-confirmations/${token}`);

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'optin')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'optin');
  const dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
  noticeVersion = await publishedEnglishNotice(dpo);
  // A marketing lead who may also read for analytics: an analytics objection is the ordering marker below.
  const role = `optin-lead-${Math.random().toString(36).slice(2, 8)}`;
  expect((await api('POST', '/v1/roles', { name: role, permissions: ['contacts:read', 'purpose:marketing', 'purpose:analytics'] }, admin)).status).toBe(201);
  marketer = (await staffSession(admin, role, 'optin')).accessToken;
});

async function createContact(): Promise<string> {
  const tag = uniqueName('c')
    .replace(/[^a-z]/gi, '')
    .toLowerCase();
  const created = await call('POST', '/v1/contacts', support, {
    purpose: 'customer-service',
    data: { name: { given: `Ida${tag}`, family: 'Nowak' }, emails: [`ida.${tag}@example.com`] },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await expectEventually(
    async () => expect((await call('POST', `/v1/contacts/${id}/consents/marketing/withdrawal`, support, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
    WITHIN_SECONDS,
  );
  return id;
}

describe('double opt-in for e-mail marketing, through the gateway', () => {
  it('asks (202, a token), keeps marketing refused until the person confirms, then allows it; the token confirms once', async () => {
    const id = await createContact();
    const read = () => call('GET', `/v1/contacts/${id}?purpose=marketing`, marketer);

    const asked = await call('POST', `/v1/contacts/${id}/consents`, support, {
      purpose: 'marketing',
      noticeVersion,
      channel: 'email',
      evidence: { kind: 'form', reference: `newsletter-signup ${uniqueName('optin')}` },
    });
    expect([asked.status, asked.body.status]).toEqual([202, 'confirmation-requested']);
    const token = asked.body.confirmation.token as string;
    expect(asked.body.confirmation.confirmPath).toBe(`/v1/consent-confirmations/${token}`);

    // Unconfirmed: contacts has applied every consent event up to a later one of the same contact (they are ordered
    // per contact), and the marketing read is still refused.
    expect((await call('POST', `/v1/contacts/${id}/objections`, support, { purpose: 'analytics' })).status).toBe(201);
    await expectEventually(
      async () => expect((await call('GET', `/v1/contacts/${id}?purpose=analytics`, marketer)).body.code).toBe('OBJECTION_RECORDED'),
      WITHIN_SECONDS,
    );
    const pending = await read();
    expect([pending.status, pending.body.code]).toEqual([403, 'CONSENT_REQUIRED']);

    const confirmed = await confirm(token);
    expect([confirmed.status, confirmed.body.purpose, confirmed.body.status]).toEqual([200, 'marketing', 'given']);
    expect(confirmed.text).not.toContain(id);
    await expectEventually(async () => expect((await read()).status).toBe(200), WITHIN_SECONDS);

    // The proof: the request with its evidence, then the consent given by the person with the confirmation as evidence.
    const history = await call('GET', `/v1/contacts/${id}/consents`, support);
    expect(history.body.history.map((entry: { type: string }) => entry.type)).toEqual(['ConsentConfirmationRequested', 'ObjectionRecorded', 'ConsentGiven']);
    expect(history.body.history[2]).toMatchObject({ actorId: id, channel: 'email', evidence: { kind: 'double-opt-in' } });
    const again = await confirm(token);
    expect([again.status, again.body.code]).toEqual([409, 'CONSENT_CONFIRMATION_USED']);
  });

  it('refuses an unknown or malformed token with 404 CONSENT_CONFIRMATION_UNKNOWN, without signing in', async () => {
    for (const token of ['not-a-token', 'A'.repeat(64)]) {
      const response = await confirm(token);
      expect({ token, status: response.status, code: response.body.code }).toEqual({ token, status: 404, code: 'CONSENT_CONFIRMATION_UNKNOWN' });
    }
  });
});
