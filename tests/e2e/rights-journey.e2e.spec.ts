// Issue 12's "Done when", as one journey through the gateway on the real platform: a privacy notice published in
// Polish and English (public, JSON or printable HTML, its content hash recomputable); consent to marketing given
// against it; a marketing read succeeds; consent withdrawn; within seconds the marketing read answers
// CONSENT_REQUIRED and a marketing export leaves the contact out; an objection blocks marketing on legitimate
// interests; an access request filed, verified and completed, its package holding the contact's data and the
// accesses to it from the audit trail; an erasure request completed with a receipt whose inclusion proof is checked
// here, from the documented formats, against a tree head whose signature verifies under the pinned key; and the
// OpenAPI document describing every route of the issue. Waiting is polling, never sleeping.
//
// Other specs go deeper on each step (consent.e2e, consent-enforcement.e2e, request-desk.e2e, request-desk-work.e2e);
// overdue and extension logic is tested with an injected clock where it is decided, not here:
// services/consent/src/requests/request.deadlines.unit.spec.ts (due dates, overdue, due soon),
// extend-request/extend-request.decision.unit.spec.ts (three months at most, within the first month),
// deadline-jobs/deadline-jobs.decision.unit.spec.ts, and the pinned-clock integration specs request-desk.int.spec.ts
// (lists by status, extension) and deadline-jobs/request-deadline.jobs.int.spec.ts (the BullMQ sweep marks overdue).
import { createHash } from 'node:crypto';
import {
  adminSession,
  api,
  createStaffUser,
  expectEventually,
  pinnedAuditPublicKey,
  renewingSession,
  request as call,
  signIn,
  staffSession,
  stateDir,
  uniqueName,
  verifyAuditInclusion,
  auditKeyId,
  type AuditInclusionProofView,
  anonymousRequest,
} from '@crm/testing';

/** Enforcement and the trail follow events: seconds, with room for a loaded machine. */
const WITHIN_SECONDS = { timeoutMs: 15_000, intervalMs: 100 };
const IN_THE_TRAIL = { timeoutMs: 30_000, intervalMs: 250 };

let support: string;
let marketer: { id: string; token: () => Promise<string> };
let dpo: () => Promise<string>;
const tag = uniqueName('j')
  .replace(/[^a-z]/gi, '')
  .toLowerCase();
const person = { given: `Journey${tag}`, email: `journey.${tag}@example.com` };

const noticeTexts = (lang: 'pl' | 'en') => ({
  lang,
  controller: lang === 'pl' ? `Przykład Sp. z o.o., Warszawa (${tag})` : `Example Ltd, Warsaw (${tag})`,
  dpoContact: 'iod@example.com',
  retention: lang === 'pl' ? 'Marketing: do wycofania zgody' : 'Marketing: until consent is withdrawn',
  recipients: lang === 'pl' ? 'Firmy kurierskie' : 'Couriers',
  processors: lang === 'pl' ? 'Dostawca hostingu w EOG' : 'Hosting provider in the EEA',
  rights: lang === 'pl' ? 'Dostęp, usunięcie, sprzeciw: iod@example.com' : 'Access, erasure, objection: iod@example.com',
});

/** A request without any token, as a visitor's browser sends it. */
const anonymous = (path: string, headers: Record<string, string> = {}) => anonymousRequest('GET', path, headers);

/** RFC 8785 (JCS) for the notice's values (strings, integers, arrays, objects): keys sorted, no whitespace. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(',')}}`
      : JSON.stringify(value);

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  support = (await staffSession(admin, 'support', 'journey')).accessToken;
  const dpoUser = await createStaffUser(admin, 'dpo', 'journey');
  const enrolledDpo = await signIn(dpoUser.email, dpoUser.password, { step: 1 });
  dpo = renewingSession(dpoUser, { accessToken: enrolledDpo.accessToken, secret: enrolledDpo.secret! });
  // Marketing is a marketing lead's purpose (a custom role); exports need a fresh second factor.
  const role = `journey-marketing-${tag.slice(-8)}`;
  expect((await api('POST', '/v1/roles', { name: role, permissions: ['contacts:read', 'contacts:export', 'purpose:marketing'] }, admin)).status).toBe(201);
  const lead = await staffSession(admin, role, 'journey');
  marketer = { id: lead.id, token: renewingSession(lead, lead) };
});

describe("a data subject's rights, from the privacy notice to the erasure receipt, through the gateway", () => {
  const published: Partial<Record<'pl' | 'en', { version: string; contentSha256: string }>> = {};
  let contactId = '';
  const marketingRead = async () => call('GET', `/v1/contacts/${contactId}?purpose=marketing`, await marketer.token());
  const softMarketingRead = async () => call('GET', `/v1/contacts/${contactId}?purpose=marketing&legalBasis=legitimate-interests`, await marketer.token());

  it('publishes the privacy notice in Polish and English, read by anyone as JSON or printable HTML, its hash recomputable', async () => {
    for (const lang of ['pl', 'en'] as const) {
      const draft = await call('POST', '/v1/privacy-notices', await dpo(), noticeTexts(lang));
      expect([draft.status, draft.body.status]).toEqual([201, 'draft']);
      const publication = await call('POST', `/v1/privacy-notices/${draft.body.version}/publication`, await dpo());
      expect([publication.status, publication.body.status]).toEqual([200, 'published']);
      published[lang] = { version: publication.body.version, contentSha256: publication.body.contentSha256 };

      const json = await anonymous(`/v1/privacy-notices/current?lang=${lang}`, { accept: 'application/json' });
      expect([json.status, json.headers.get('content-type')?.startsWith('application/json'), json.body.lang]).toEqual([200, true, lang]);
      // Another run on the same platform may have published since: current is ours or newer.
      expect(json.body.number).toBeGreaterThanOrEqual(publication.body.number);
      const exact = await anonymous(`/v1/privacy-notices/${publication.body.version}`, { accept: 'application/json' });
      expect([exact.status, exact.body.contentSha256, exact.body.controller]).toEqual([200, publication.body.contentSha256, noticeTexts(lang).controller]);
      const { version, catalogueVersion, purposes, controller, dpoContact, retention, recipients, processors, rights, register } = exact.body;
      const content = {
        version,
        lang,
        catalogueVersion,
        purposes: (purposes as Array<Record<string, unknown>>).map(({ code, lawfulBases, objection, description }) => ({
          code,
          lawfulBases,
          objection,
          description,
        })),
        controller,
        dpoContact,
        retention,
        recipients,
        processors,
        rights,
        // The hash covers the register part too (docs/consent.md, The content hash); older versions have none.
        ...(register === undefined ? {} : { register }),
      };
      expect(createHash('sha256').update(canonical(content), 'utf8').digest('hex')).toBe(publication.body.contentSha256);

      const html = await anonymous(`/v1/privacy-notices/current?lang=${lang}`, { accept: 'text/html' });
      expect([html.status, html.headers.get('content-type')?.startsWith('text/html')]).toEqual([200, true]);
      expect(html.text).toContain(`<html lang="${lang}">`);
      expect(html.text).not.toMatch(/<script/i);
    }
    expect((await anonymous('/v1/privacy-notices/current?lang=pl', { accept: 'text/html' })).text).toContain('Klauzula informacyjna');
  });

  it('records consent to marketing against the published notice, and then a marketing read succeeds', async () => {
    const created = await call('POST', '/v1/contacts', support, {
      purpose: 'customer-service',
      data: { name: { given: person.given, family: 'Nowak' }, emails: [person.email] },
    });
    expect(created.status).toBe(201);
    contactId = created.body.id as string;
    expect((await marketingRead()).body.code).toBe('CONSENT_REQUIRED');

    const consent = { purpose: 'marketing', noticeVersion: published.en!.version, channel: 'web-form', evidence: { kind: 'form', reference: 'journey' } };
    // Consent learns the contact from contacts' events a moment after its creation (404 CONSENT_CONTACT_UNKNOWN).
    const given = await expectEventually(async () => {
      const answer = await call('POST', `/v1/contacts/${contactId}/consents`, support, consent);
      expect(answer.status).toBe(201);
      return answer;
    }, WITHIN_SECONDS);
    expect(given.body.consent).toMatchObject({ status: 'given', noticeVersion: published.en!.version, noticeContentSha256: published.en!.contentSha256 });

    const read = await expectEventually(async () => {
      const answer = await marketingRead();
      expect(answer.status).toBe(200);
      return answer;
    }, WITHIN_SECONDS);
    expect(read.body.data.emails).toEqual([person.email]);
  });

  it('withdraws it: within seconds the marketing read answers CONSENT_REQUIRED and a marketing export leaves the contact out', async () => {
    const exported = async () => {
      const answer = await call('POST', '/v1/contacts/export', await marketer.token(), { purpose: 'marketing', contactIds: [contactId] });
      expect(answer.status).toBe(200);
      return (answer.body.contacts as Array<{ id: string }>).map((row) => row.id);
    };
    expect(await exported()).toEqual([contactId]);

    const withdrawn = await call('POST', `/v1/contacts/${contactId}/consents/marketing/withdrawal`, support, { channel: 'email' });
    expect([withdrawn.status, withdrawn.body.consent?.status]).toEqual([200, 'withdrawn']);
    await expectEventually(async () => {
      const answer = await marketingRead();
      expect([answer.status, answer.body.code]).toEqual([403, 'CONSENT_REQUIRED']);
    }, WITHIN_SECONDS);
    expect(await exported()).toEqual([]);

    // The proof a DPO shows a regulator: both changes, against the notice's hash.
    const history = await call('GET', `/v1/contacts/${contactId}/consents`, await dpo());
    expect(history.status).toBe(200);
    expect(history.body.history.map((entry: { type: string }) => entry.type)).toEqual(['ConsentGiven', 'ConsentWithdrawn']);
    expect(history.body.consents.marketing).toMatchObject({ status: 'withdrawn', noticeContentSha256: published.en!.contentSha256 });
  });

  it('records an objection: marketing on legitimate interests is refused with OBJECTION_RECORDED', async () => {
    expect((await softMarketingRead()).status).toBe(200);
    expect((await call('POST', `/v1/contacts/${contactId}/objections`, support, { purpose: 'marketing' })).status).toBe(201);
    await expectEventually(async () => {
      const answer = await softMarketingRead();
      expect([answer.status, answer.body.code]).toEqual([403, 'OBJECTION_RECORDED']);
    }, WITHIN_SECONDS);
  });

  it("completes a verified access request with a package of the contact's data, consents and the accesses to it", async () => {
    // The package is built from the trail: wait until it holds the marketing lead's read and refusals.
    await expectEventually(async () => {
      const page = await call('GET', `/v1/audit/entries?subjectId=${contactId}&actorId=${marketer.id}&limit=100`, await dpo());
      const actions = (page.body.entries as Array<{ action: string }>).map((entry) => entry.action);
      expect(actions).toEqual(expect.arrayContaining(['crm.contacts.v1.ContactDataAccessed', 'crm.contacts.v1.ContactProcessingRefused']));
    }, IN_THE_TRAIL);

    const filed = await call('POST', '/v1/requests', await dpo(), { type: 'access', contactId, channel: 'email', receivedAt: new Date().toISOString() });
    expect([filed.status, filed.body.status]).toEqual([201, 'received']);
    const id = filed.body.requestId as string;
    const early = await call('POST', `/v1/requests/${id}/completion`, await dpo(), {});
    expect([early.status, early.body.code]).toEqual([409, 'REQUEST_NOT_VERIFIED']);
    const verified = await call('POST', `/v1/requests/${id}/verification`, await dpo(), { method: 'id-document', evidence: 'ID card checked on a call' });
    expect([verified.status, verified.body.status]).toEqual([200, 'verified']);
    expect((await call('POST', `/v1/requests/${id}/start`, await dpo())).body.status).toBe('in-progress');
    const completed = await call('POST', `/v1/requests/${id}/completion`, await dpo(), { reference: 'sent by registered mail' });
    expect([completed.status, completed.body.status, completed.body.package?.formats]).toEqual([200, 'completed', ['json', 'html']]);

    const download = await call('GET', `/v1/requests/${id}/package?format=json`, await dpo());
    expect(download.status).toBe(200);
    const pkg = JSON.parse(download.text) as {
      contactId: string;
      contact: { data: { name: { given: string }; emails: string[] } };
      consents: { consents: Record<string, { status: string; noticeContentSha256?: string }>; objections: Record<string, unknown> };
      accesses: Array<{ actorId: string; action: string; purpose: string }>;
    };
    expect(pkg.contactId).toBe(contactId);
    expect(pkg.contact.data).toMatchObject({ name: { given: person.given }, emails: [person.email] });
    expect(pkg.consents.consents.marketing).toMatchObject({ status: 'withdrawn' });
    expect(Object.keys(pkg.consents.objections)).toEqual(['marketing']);
    expect(pkg.accesses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorId: marketer.id, action: 'ContactDataAccessed', purpose: 'marketing' }),
        expect.objectContaining({ actorId: marketer.id, action: 'ContactProcessingRefused', purpose: 'marketing' }),
      ]),
    );
    const html = await call('GET', `/v1/requests/${id}/package?format=html`, await dpo());
    expect([html.status, html.text.includes(person.given)]).toEqual([200, true]);

    // Reading the consents (with their evidence) and taking the package out are processing too: both in the trail.
    await expectEventually(async () => {
      for (const action of ['crm.consent.v1.ConsentsViewed', 'crm.consent.v1.SubjectRequestPackageDownloaded']) {
        const page = await call('GET', `/v1/audit/entries?subjectId=${contactId}&action=${action}&limit=100`, await dpo());
        expect({ action, found: (page.body.entries as unknown[]).length > 0 }).toEqual({ action, found: true });
      }
    }, IN_THE_TRAIL);
  });

  it('completes an erasure request with a receipt whose audit inclusion proof verifies against a signed tree head', async () => {
    const filed = await call('POST', '/v1/requests', await dpo(), { type: 'erasure', contactId, channel: 'paper', receivedAt: new Date().toISOString() });
    const id = filed.body.requestId as string;
    expect((await call('POST', `/v1/requests/${id}/verification`, await dpo(), { method: 'in-person', evidence: 'seen at the desk' })).status).toBe(200);
    const completed = await call('POST', `/v1/requests/${id}/completion`, await dpo(), {});
    expect([completed.status, completed.body.status]).toEqual([200, 'completed']);
    const receipt = completed.body.receipt as {
      contactId: string;
      events: Array<{ eventId: string; type: string }>;
      consentRecords: { consents: Array<{ purpose: string; status: string; noticeContentSha256?: string }>; evidence: string };
    };
    expect(receipt.contactId).toBe(contactId);
    expect(receipt.consentRecords.consents).toEqual([
      expect.objectContaining({ purpose: 'marketing', status: 'withdrawn', noticeContentSha256: published.en!.contentSha256 }),
    ]);
    expect(JSON.stringify(receipt)).not.toContain(person.given);
    expect((await call('GET', `/v1/contacts/${contactId}?purpose=customer-service`, support)).status).toBe(410);

    const erased = receipt.events.find((event) => event.type === 'crm.contacts.v1.ContactErased')!;
    const proof = await expectEventually(async () => {
      const answer = await call('GET', `/v1/requests/${id}/receipt`, await dpo());
      expect([answer.status, answer.body.inclusionProof.status]).toEqual([200, 'included']);
      return answer.body.inclusionProof.proof as AuditInclusionProofView;
    }, IN_THE_TRAIL);
    expect(proof.entry).toMatchObject({ eventId: erased.eventId, subjectId: contactId, action: 'crm.contacts.v1.ContactErased' });
    // The key pinned from this machine's state directory, as the verifier CLI pins it; the service serves the same.
    const key = pinnedAuditPublicKey(stateDir);
    expect((await anonymous('/v1/audit/public-key')).body.keyId).toBe(auditKeyId(key));
    expect(verifyAuditInclusion(proof, key)).toEqual({ leafHashAsServed: true, treeHeadSigned: true, included: true });
  });

  it("describes every route of the issue in the gateway's OpenAPI document: summary, parameters, success status", async () => {
    const document = (await anonymous('/docs/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          { summary?: string; parameters?: Array<{ name: string; in: string }>; responses?: Record<string, { content?: Record<string, unknown> }> }
        >
      >;
    };
    // Every JSON answer is documented with its schema (@crm/api-contract); the rest by their media types.
    const routes = [
      'GET /v1/purposes 200 application/json',
      'POST /v1/privacy-notices 201 application/json',
      'POST /v1/privacy-notices/{version}/publication 200 application/json',
      'GET /v1/privacy-notices/current 200 ?lang application/json,text/html',
      'GET /v1/privacy-notices/{version} 200 application/json,text/html',
      'GET /v1/contacts/{id}/consents 200 application/json',
      // Recorded (201), or awaiting a double opt-in's confirmation (202).
      'POST /v1/contacts/{id}/consents 201,202 application/json application/json',
      'POST /v1/contacts/{id}/consents/{purpose}/withdrawal 200 application/json',
      'POST /v1/contacts/{id}/objections 201 application/json',
      'POST /v1/requests 201 application/json',
      'GET /v1/requests 200 ?status application/json',
      'GET /v1/requests/{id} 200 application/json',
      'POST /v1/requests/{id}/verification 200 application/json',
      'POST /v1/requests/{id}/extension 200 application/json',
      'POST /v1/requests/{id}/start 200 application/json',
      'POST /v1/requests/{id}/completion 200 application/json',
      'POST /v1/requests/{id}/refusal 200 application/json',
      'GET /v1/requests/{id}/package 200 ?format application/json,text/html,text/csv',
      'GET /v1/requests/{id}/receipt 200 application/json',
    ];
    const described = routes.map((route) => {
      const [method, path] = route.split(' ') as [string, string];
      const operation = document.paths[path]?.[method.toLowerCase()];
      const declared = (where: string) => (operation?.parameters ?? []).filter((parameter) => parameter.in === where).map((parameter) => parameter.name);
      const pathParameters = declared('path').map((name) => `{${name}}`);
      const query = declared('query');
      // The success answers: every route also lists its error statuses (one error body), which the contract fuzzing checks.
      const successes = Object.entries(operation?.responses ?? {}).filter(([status]) => status.startsWith('2'));
      return [
        `${method} ${path} ${successes.map(([status]) => status).join(',')}`,
        ...(query.length === 0 ? [] : [`?${query.join('&')}`]),
        ...successes.flatMap(([, answer]) => (answer.content === undefined ? [] : [Object.keys(answer.content).join(',')])),
        ...(operation?.summary ? [] : ['(no summary)']),
        ...(pathParameters.join('') === (path.match(/\{[^}]+\}/g) ?? []).join('') ? [] : ['(path parameters undeclared)']),
      ].join(' ');
    });
    expect(described).toEqual(routes);
  });
});
