// Consent records through the gateway (issue 12): a DPO publishes the privacy notice in Polish and English, anyone
// reads it without signing in (JSON or printable HTML); support staff record a customer's consent to marketing
// against the published notice, its withdrawal and an objection; a DPO reads the history (the proof) and finds it in
// the audit trail; the contact's erasure makes the evidence unreadable. Users are created by the bootstrap
// administrator.
import {
  adminSession,
  createStaffUser,
  expectEventually,
  gateway,
  staffSession,
  request as call,
  signIn,
  uniqueName,
  type Reply,
  anonymousRequest,
} from '@crm/testing';

let support: string;
let sales: string;
let dpo: string;
/** The notices published in beforeAll: consents are given against the English one. */
const published: Record<'pl' | 'en', { version: string; contentSha256: string }> = {
  pl: { version: '', contentSha256: '' },
  en: { version: '', contentSha256: '' },
};

const noticeTexts = (lang: 'pl' | 'en', marker: string) => ({
  lang,
  controller: lang === 'pl' ? `Przykład Sp. z o.o., ul. Prosta 1, Warszawa <${marker}>` : `Example Ltd, 1 Main Street, Warsaw <${marker}>`,
  dpoContact: 'iod@example.com',
  retention:
    lang === 'pl' ? 'Dane umowy: 6 lat od końca umowy; marketing: do wycofania zgody' : 'Contract data: 6 years; marketing: until consent is withdrawn',
  recipients: lang === 'pl' ? 'Firmy kurierskie, operatorzy płatności' : 'Couriers, payment providers',
  processors: lang === 'pl' ? 'Dostawca hostingu w EOG' : 'Hosting provider in the EEA',
  rights:
    lang === 'pl'
      ? 'Dostęp, sprostowanie, usunięcie, ograniczenie, przenoszenie, sprzeciw: napisz na iod@example.com'
      : 'Access, rectification, erasure, restriction, portability, objection: write to iod@example.com',
});

/** A request without any token, as a visitor's browser sends it. */
const anonymous = (path: string, headers: Record<string, string> = {}) => anonymousRequest('GET', path, headers);

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'consent')).accessToken;
  sales = (await staffSession(admin, 'sales', 'consent')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'consent');
  dpo = (await signIn(dpoUser.email, dpoUser.password, { step: 1 })).accessToken;
  // The DPO has just used a second factor (sign-in with TOTP): publication's step-up is satisfied.
  for (const lang of ['pl', 'en'] as const) {
    const draft = await call('POST', '/v1/privacy-notices', dpo, noticeTexts(lang, uniqueName('notice')));
    expect([draft.status, draft.body.status, draft.body.lang]).toEqual([201, 'draft', lang]);
    const publication = await call('POST', `/v1/privacy-notices/${draft.body.version}/publication`, dpo);
    expect([publication.status, publication.body.status]).toEqual([200, 'published']);
    published[lang] = { version: publication.body.version, contentSha256: publication.body.contentSha256 };
  }
});

/**
 * Consent learns contacts from contacts' events, a moment after their creation. Until then it refuses anything for
 * the contact (404 CONSENT_CONTACT_UNKNOWN, nothing written); a withdrawal of a consent never given is refused either
 * way (409 once known) and writes nothing, so polling it tells when consent knows the contact.
 */
async function consentKnows(contactId: string): Promise<void> {
  await expectEventually(
    async () => expect((await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, support, {})).body.code).toBe('CONSENT_NOT_GIVEN'),
    { timeoutMs: 15_000, intervalMs: 100 },
  );
}

async function createContact(): Promise<string> {
  const tag = uniqueName('c').replace(/[^a-z]/gi, '');
  const created = await call('POST', '/v1/contacts', support, { purpose: 'customer-service', data: { name: { given: `Ida${tag}`, family: 'Nowak' } } });
  expect(created.status).toBe(201);
  await consentKnows(created.body.id as string);
  return created.body.id as string;
}

const marketingConsent = (reference: string) => ({
  purpose: 'marketing',
  noticeVersion: published.en.version,
  channel: 'web-form',
  evidence: { kind: 'double-opt-in', reference },
});

describe('privacy notices through the gateway', () => {
  it('are public: the current notice in each language as JSON and as printable HTML, and every published version by name', async () => {
    for (const lang of ['pl', 'en'] as const) {
      const current = await anonymous(`/v1/privacy-notices/current?lang=${lang}`);
      expect([current.status, current.body.lang]).toEqual([200, lang]);
      // Other runs on the same platform may publish after this one: current is at least as new as ours.
      expect(current.body.number).toBeGreaterThanOrEqual(Number(published[lang].version.split('-')[1]));
      expect(current.body.purposes.find((purpose: { code: string }) => purpose.code === 'marketing').lawfulBases).toEqual(['consent', 'legitimate-interests']);
      expect(current.text).not.toMatch(/draftedBy|publishedBy/);

      const exact = await anonymous(`/v1/privacy-notices/${published[lang].version}`);
      expect([exact.status, exact.body.version, exact.body.contentSha256]).toEqual([200, published[lang].version, published[lang].contentSha256]);

      const html = await anonymous(`/v1/privacy-notices/${published[lang].version}`, { accept: 'text/html' });
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-.*frame-ancestors 'none'$/);
      expect(html.text).toContain(`<html lang="${lang}">`);
      expect(html.text).toContain(published[lang].contentSha256);
      expect(html.text).not.toMatch(/<script/i);
      expect(html.text).toMatch(/Przykład Sp\. z o\.o\., ul\. Prosta 1, Warszawa &#60;notice-|Example Ltd, 1 Main Street, Warsaw &#60;notice-/);
      const currentHtml = await anonymous(`/v1/privacy-notices/current?lang=${lang}`, { accept: 'text/html' });
      expect([currentHtml.status, currentHtml.headers.get('content-type')?.startsWith('text/html')]).toEqual([200, true]);
    }
    expect((await anonymous('/v1/privacy-notices/current?lang=pl', { accept: 'text/html' })).text).toContain('Klauzula informacyjna');
  });

  it("the drafts and publications are in the audit trail, as the DPO's actions", async () => {
    const dpoId = (JSON.parse(Buffer.from(dpo.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
    await expectEventually(
      async () => {
        const entries = (await call('GET', `/v1/audit/entries?actorId=${dpoId}&limit=100`, dpo)).body.entries as Array<{ action: string; purpose: string }>;
        const notices = entries.filter((entry) => entry.action.startsWith('crm.consent.v1.PrivacyNotice'));
        expect(notices.map((entry) => entry.action).sort()).toEqual([
          'crm.consent.v1.PrivacyNoticeDrafted',
          'crm.consent.v1.PrivacyNoticeDrafted',
          'crm.consent.v1.PrivacyNoticePublished',
          'crm.consent.v1.PrivacyNoticePublished',
        ]);
        expect(new Set(notices.map((entry) => entry.purpose))).toEqual(new Set(['data-protection-oversight']));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('refuses bad notice requests with stable codes and writes nothing; only a DPO drafts and publishes', async () => {
    const cases: Array<[Promise<Reply>, number, string]> = [
      [anonymous('/v1/privacy-notices/current?lang=de'), 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      [anonymous('/v1/privacy-notices/en-999999'), 404, 'NOTICE_VERSION_UNKNOWN'],
      [call('POST', '/v1/privacy-notices', dpo, { ...noticeTexts('en', 'x'), lang: 'de' }), 400, 'NOTICE_LANGUAGE_UNSUPPORTED'],
      [call('POST', '/v1/privacy-notices', dpo, { ...noticeTexts('en', 'x'), purposes: [] }), 400, 'REQUEST_INVALID'],
      [call('POST', `/v1/privacy-notices/${published.pl.version}/publication`, dpo), 409, 'NOTICE_ALREADY_PUBLISHED'],
      [call('POST', '/v1/privacy-notices/pl-999999/publication', dpo), 404, 'NOTICE_VERSION_UNKNOWN'],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
    }
    expect((await call('POST', '/v1/privacy-notices', support, noticeTexts('en', 'x'))).status).toBe(403);
    const anonymousDraft = await fetch(`${gateway}/v1/privacy-notices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(noticeTexts('en', 'x')),
    });
    expect(anonymousDraft.status).toBe(401);
    // Publishing twice changed nothing: the version still answers its first hash.
    expect((await anonymous(`/v1/privacy-notices/${published.pl.version}`)).body.contentSha256).toBe(published.pl.contentSha256);
  });
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
    expect(history.body.consents.marketing).toMatchObject({
      status: 'given',
      noticeVersion: published.en.version,
      noticeContentSha256: published.en.contentSha256,
      channel: 'web-form',
    });
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
        const entries = (await call('GET', `/v1/audit/entries?subjectId=${contactId}&limit=100`, dpo)).body.entries as Array<{
          action: string;
          purpose: string;
        }>;
        const actions = entries.map((entry) => entry.action);
        expect(actions.filter((action) => action.startsWith('crm.consent.') && action !== 'crm.consent.v1.ConsentsViewed')).toEqual([
          'crm.consent.v1.ConsentGiven',
          'crm.consent.v1.ConsentWithdrawn',
          'crm.consent.v1.ObjectionRecorded',
        ]);
        // Reading the consents is processing too: the two reads above (the DPO's, the sales user's) are in the trail.
        const reads = entries.filter((entry) => entry.action === 'crm.consent.v1.ConsentsViewed');
        expect(reads.map((entry) => entry.purpose)).toEqual(['data-subject-rights', 'data-subject-rights']);
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
      ['POST', `/v1/contacts/${contactId}/consents`, { ...marketingConsent(secret), noticeVersion: 'en-999999' }, 400, 'CONSENT_NOTICE_UNKNOWN'],
      ['POST', `/v1/contacts/${contactId}/consents`, { ...marketingConsent(secret), noticeVersion: '2026-11' }, 400, 'CONSENT_NOTICE_UNKNOWN'],
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

  it('refuses consent, withdrawal, objection and reading the consents for a contact that does not exist (404 CONSENT_CONTACT_UNKNOWN) and writes nothing', async () => {
    const nobody = crypto.randomUUID();
    for (const [path, body] of [
      [`/v1/contacts/${nobody}/consents`, marketingConsent('nobody')],
      [`/v1/contacts/${nobody}/consents/marketing/withdrawal`, {}],
      [`/v1/contacts/${nobody}/objections`, { purpose: 'marketing' }],
    ] as const) {
      const refused = await call('POST', path, support, body);
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({ path, status: 404, code: 'CONSENT_CONTACT_UNKNOWN' });
    }
    const read = await call('GET', `/v1/contacts/${nobody}/consents`, dpo);
    expect([read.status, read.body.code]).toEqual([404, 'CONSENT_CONTACT_UNKNOWN']);
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
