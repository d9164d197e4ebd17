// The Art. 30 register and the processor register over HTTP, joined with evidence from the audit trail.
import { ProcessingActivityRecordedSchema } from '@crm/contracts';
import { expectEventually } from '@crm/testing';
import { contactCreated, contactRectified, encode } from '../testing/audit.fixtures.js';
import { startAuditApp, type AuditApp } from '../testing/audit-app.fixture.js';
import type { EntryView } from '../trail/entry.view.js';
import { DRAFT_ACTOR, draftActivityId, draftRegister, PLATFORM_PURPOSES } from './drafts/draft-register.js';
import type { ActivityView, ProcessorView, RegisterReport } from './export/register.report.js';
import { RegisterService } from './register.service.js';

let audit: AuditApp;
let editor: string;
let auditor: string;
let sales: string;

const activity = (overrides: Record<string, unknown> = {}) => ({
  name: 'Customer service',
  purposes: ['customer-service'],
  legalBasis: 'contract',
  dataSubjectCategories: ['customers'],
  personalDataCategories: ['identity', 'contact details'],
  recipients: ['support staff'],
  retentionPeriod: 'P6Y',
  securityMeasures: ['encryption per data subject', 'two-factor sign-in'],
  ...overrides,
});
const code = (answer: { body: unknown }) => (answer.body as { code?: string }).code;

beforeAll(async () => {
  audit = await startAuditApp({ draftRegister: true });
  editor = await audit.token(['register:manage'], { sub: 'dpo-editor' });
  auditor = await audit.token(['audit:read']);
  sales = await audit.token(['contacts:read', 'contacts:write']);
  const contacts = audit.topic('contacts');
  await audit.kafka.ensureTopics([{ name: contacts, partitions: 1 }]);
  await audit.kafka.publish(
    contacts,
    [
      contactCreated('anna', ['emails']),
      contactCreated('bob', ['emails']),
      contactRectified('anna', ['phones'], []),
      contactCreated('carl', ['emails'], { purpose: 'shadow-profiling', legalBasis: 6 }),
    ].map((envelope) => ({ key: envelope.subjectId, value: encode(envelope) })),
  );
  // The four events above and the platform's drafts (register changes are ingested like any event).
  await expectEventually(async () => expect(await audit.runtime.view.sync()).toBe(4 + draftRegister().length), { timeoutMs: 30_000, intervalMs: 100 });
});
afterAll(() => audit.close());

describe('the draft register on a fresh platform', () => {
  const marketing = draftActivityId('marketing');
  const analytics = draftActivityId('analytics');

  it('given a fresh register, then it holds one draft per built-in purpose, flagged as awaiting approval, and no purpose is undeclared but the unknown one', async () => {
    const activities = (await audit.api('GET', '/v1/register/activities', { token: auditor })).body as ActivityView[];
    expect(activities.map((a) => [a.id, a.status, a.version, a.recordedBy])).toEqual(
      expect.arrayContaining(draftRegister().map((d) => [d.id, 'draft', 1, DRAFT_ACTOR])),
    );
    expect(activities.length).toBe(draftRegister().length);
    for (const a of activities) expect(a.flags).toContain('ACTIVITY_NOT_APPROVED');

    const report = (await audit.api('GET', '/v1/register/export?format=json', { token: auditor })).body as RegisterReport;
    for (const purpose of PLATFORM_PURPOSES)
      expect(report.purposes.find((p) => p.purpose === purpose.code)).toMatchObject({ builtIn: true, status: 'draft', flags: ['PURPOSE_NOT_APPROVED'] });
    expect(report.purposes.find((p) => p.purpose === 'customer-service')).toMatchObject({ events: 3, distinctSubjects: 2 });
    expect(report.undeclaredPurposes.map((p) => [p.purpose, p.flag])).toEqual([['shadow-profiling', 'UNDECLARED_PURPOSE']]);
  });

  it('given the drafts, when seeded again (a restart), then nothing is added or changed', async () => {
    expect(await audit.app.get(RegisterService).seedDrafts('restart')).toEqual([]);
    const versions = (await audit.api('GET', `/v1/register/activities/${marketing}/versions`, { token: auditor })).body as ActivityView[];
    expect(versions.map((v) => [v.version, v.status])).toEqual([[1, 'draft']]);
  });

  it('given a draft, when a DPO approves the version reviewed, then a new approved version, and the purpose is declared', async () => {
    const approved = await audit.api('POST', `/v1/register/activities/${marketing}/approval`, { token: editor, body: { expectedVersion: 1 } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: marketing, version: 2, status: 'approved', recordedBy: 'dpo-editor', document: { legalBasis: 'consent' } });
    expect((approved.body as ActivityView).flags).not.toContain('ACTIVITY_NOT_APPROVED');
    const versions = (await audit.api('GET', `/v1/register/activities/${marketing}/versions`, { token: auditor })).body as ActivityView[];
    expect(versions.map((v) => [v.version, v.status, v.recordedBy])).toEqual([
      [1, 'draft', DRAFT_ACTOR],
      [2, 'approved', 'dpo-editor'],
    ]);
    const report = (await audit.api('GET', '/v1/register/export?format=json', { token: auditor })).body as RegisterReport;
    expect(report.purposes.find((p) => p.purpose === 'marketing')).toMatchObject({ status: 'approved', activityIds: [marketing], flags: [] });
    expect(report.purposes.find((p) => p.purpose === 'sales')).toMatchObject({ status: 'draft', flags: ['PURPOSE_NOT_APPROVED'] });
  });

  it('given bad approvals, then stable codes and nothing written', async () => {
    const again = await audit.api('POST', `/v1/register/activities/${marketing}/approval`, { token: editor, body: { expectedVersion: 2 } });
    expect([again.status, code(again)]).toEqual([409, 'AUDIT_REGISTER_ALREADY_APPROVED']);
    const stale = await audit.api('POST', `/v1/register/activities/${analytics}/approval`, { token: editor, body: { expectedVersion: 2 } });
    expect([stale.status, code(stale)]).toEqual([409, 'AUDIT_REGISTER_VERSION_CONFLICT']);
    const unknown = await audit.api('POST', '/v1/register/activities/00000000-0000-4000-8000-000000000000/approval', {
      token: editor,
      body: { expectedVersion: 1 },
    });
    expect([unknown.status, code(unknown)]).toEqual([404, 'AUDIT_REGISTER_NOT_FOUND']);
    const bad = await audit.api('POST', `/v1/register/activities/${analytics}/approval`, { token: editor, body: {} });
    expect([bad.status, code(bad)]).toEqual([400, 'REQUEST_INVALID']);
    expect((await audit.api('POST', `/v1/register/activities/${analytics}/approval`, { token: auditor, body: { expectedVersion: 1 } })).status).toBe(403);
    const versions = (await audit.api('GET', `/v1/register/activities/${analytics}/versions`, { token: auditor })).body as ActivityView[];
    expect(versions.map((v) => v.version)).toEqual([1]);
  });

  it('given a draft a DPO edited, then it stays a draft until approved, and a restart leaves the edit as it is', async () => {
    const draft = draftRegister().find((d) => d.id === analytics)!.document;
    const edited = await audit.api('PUT', `/v1/register/activities/${analytics}`, {
      token: editor,
      body: { ...draft, retentionPeriod: 'P1Y', expectedVersion: 1 },
    });
    expect(edited.body).toMatchObject({ version: 2, status: 'draft', document: { retentionPeriod: 'P1Y' } });
    expect(await audit.app.get(RegisterService).seedDrafts('restart')).toEqual([]);
    expect((await audit.api('GET', `/v1/register/activities/${analytics}`, { token: auditor })).body).toMatchObject({
      version: 2,
      status: 'draft',
      document: { retentionPeriod: 'P1Y' },
    });
  });
});

describe('the register of processing activities and processors', () => {
  let processor: ProcessorView;
  let declared: ActivityView;

  it('given processors and a sub-processor, then they are listed with DPA reference, country, status and their sub-processors', async () => {
    const created = await audit.api('POST', '/v1/processors', {
      token: editor,
      body: { name: 'Mail Co', dpaReference: 'DPA-2026-01', country: 'DE', location: 'Frankfurt', status: 'active' },
    });
    expect(created.status).toBe(201);
    processor = created.body as ProcessorView;
    const sub = await audit.api('POST', '/v1/processors', {
      token: editor,
      body: { name: 'Cloud Inc', dpaReference: 'SUB-7', country: 'US', status: 'active', parentProcessorId: processor.id },
    });
    expect(sub.status).toBe(201);
    const orphan = await audit.api('POST', '/v1/processors', {
      token: editor,
      body: { name: 'X', dpaReference: 'Y', country: 'FR', status: 'active', parentProcessorId: '00000000-0000-4000-8000-000000000000' },
    });
    expect([orphan.status, code(orphan)]).toEqual([400, 'AUDIT_PROCESSOR_UNKNOWN']);
    const listed = (await audit.api('GET', '/v1/processors', { token: auditor })).body as ProcessorView[];
    expect(listed.find((p) => p.id === processor.id)?.subProcessorIds).toEqual([(sub.body as ProcessorView).id]);
  });

  it('given an activity declared, then version 1 carries its evidence; a PUT makes version 2; a stale PUT is 409; every version is kept', async () => {
    const created = await audit.api('POST', '/v1/register/activities', { token: editor, body: activity({ processorIds: [processor.id] }) });
    expect(created.status).toBe(201);
    declared = created.body as ActivityView;
    expect(declared).toMatchObject({
      version: 1,
      recordedBy: 'dpo-editor',
      evidence: { events: 3, distinctSubjects: 2 },
      processors: [{ id: processor.id, name: 'Mail Co' }],
      flags: [],
    });

    const revised = await audit.api('PUT', `/v1/register/activities/${declared.id}`, {
      token: editor,
      body: { ...activity({ retentionPeriod: 'P10Y' }), expectedVersion: 1 },
    });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ version: 2, document: { retentionPeriod: 'P10Y' } });
    const stale = await audit.api('PUT', `/v1/register/activities/${declared.id}`, {
      token: editor,
      body: { ...activity({ name: 'Lost update' }), expectedVersion: 1 },
    });
    expect([stale.status, code(stale)]).toEqual([409, 'AUDIT_REGISTER_VERSION_CONFLICT']);
    const versions = (await audit.api('GET', `/v1/register/activities/${declared.id}/versions`, { token: auditor })).body as Array<{
      version: number;
      document: { retentionPeriod: string };
    }>;
    expect(versions.map((v) => [v.version, v.document.retentionPeriod])).toEqual([
      [1, 'P6Y'],
      [2, 'P10Y'],
    ]);
  });

  it('given a concurrent pair of PUTs on the same version, then exactly one wins', async () => {
    const answers = await Promise.all(
      ['A', 'B'].map((name) =>
        audit.api('PUT', `/v1/register/activities/${declared.id}`, { token: editor, body: { ...activity({ name: `Race ${name}` }), expectedVersion: 2 } }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
  });

  it('given bad input or the wrong permission, then stable codes', async () => {
    const unknownField = await audit.api('POST', '/v1/register/activities', { token: editor, body: activity({ favouriteColour: 'blue' }) });
    expect([unknownField.status, code(unknownField)]).toEqual([400, 'REQUEST_INVALID']);
    const badBasis = await audit.api('POST', '/v1/register/activities', { token: editor, body: activity({ legalBasis: 'because' }) });
    expect(badBasis.status).toBe(400);
    const unknownProcessor = await audit.api('POST', '/v1/register/activities', {
      token: editor,
      body: activity({ processorIds: ['00000000-0000-4000-8000-000000000000'] }),
    });
    expect([unknownProcessor.status, code(unknownProcessor)]).toEqual([400, 'AUDIT_PROCESSOR_UNKNOWN']);
    const missing = await audit.api('GET', '/v1/register/activities/00000000-0000-4000-8000-000000000000', { token: auditor });
    expect([missing.status, code(missing)]).toEqual([404, 'AUDIT_REGISTER_NOT_FOUND']);
    expect((await audit.api('POST', '/v1/register/activities', { token: auditor, body: activity() })).status).toBe(403);
    expect((await audit.api('GET', '/v1/register/activities', { token: sales })).status).toBe(403);
    expect((await audit.api('GET', '/v1/register/export', { token: sales })).status).toBe(403);
    const format = await audit.api('GET', '/v1/register/export?format=xml', { token: auditor });
    expect([format.status, code(format)]).toEqual([400, 'AUDIT_FORMAT_UNSUPPORTED']);
  });

  // Found by the contract fuzzing (issue 16): a NUL in a name was a 500, Postgres refusing it in the stored jsonb.
  it('given text Postgres cannot store (a NUL character, a lone surrogate), then 400 REQUEST_INVALID, not a failed write', async () => {
    const before = (await audit.api('GET', '/v1/processors', { token: auditor })).body as unknown[];
    for (const body of [
      activity({ name: 'Customer\u0000service' }),
      activity({ securityMeasures: ['encryption \ud800 at rest'] }),
      activity({ thirdCountryTransfers: [{ country: 'US', recipient: 'Host\u0000', safeguard: 'standard-contractual-clauses' }] }),
    ]) {
      const answer = await audit.api('POST', '/v1/register/activities', { token: editor, body });
      expect([answer.status, code(answer)]).toEqual([400, 'REQUEST_INVALID']);
    }
    const processor = await audit.api('POST', '/v1/processors', {
      token: editor,
      body: { name: 'Mail\u0000house', dpaReference: 'DPA-1', country: 'DE', status: 'active' },
    });
    expect([processor.status, code(processor)]).toEqual([400, 'REQUEST_INVALID']);
    expect((await audit.api('GET', '/v1/processors', { token: auditor })).body).toHaveLength(before.length);
  });

  it('given the export, then each activity has its evidence counts and the undeclared purpose is flagged, as JSON, CSV and HTML', async () => {
    await audit.api('POST', '/v1/register/activities', {
      token: editor,
      body: activity({ name: '=HYPERLINK("http://evil")', purposes: ['newsletter'], legalBasis: 'consent' }),
    });
    const json = (await audit.api('GET', '/v1/register/export?format=json', { token: auditor })).body as RegisterReport;
    const service = json.activities.find((a) => a.id === declared.id)!;
    expect(service.evidence).toMatchObject({ events: 3, distinctSubjects: 2, legalBases: [{ legalBasis: 'contract', events: 3 }] });
    expect(json.activities.find((a) => a.document.purposes.includes('newsletter'))?.flags).toEqual(['NO_PROCESSING_RECORDED']);
    expect(json.undeclaredPurposes).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'shadow-profiling', events: 1, distinctSubjects: 1, flag: 'UNDECLARED_PURPOSE' })]),
    );
    expect(json.undeclaredPurposes.map((p) => p.purpose)).not.toContain('customer-service');

    const csv = await audit.api('GET', '/v1/register/export?format=csv', { token: auditor });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^record,activity_id,version,status,name,purposes,legal_basis/);
    expect(lines.some((line) => line.startsWith(`activity,${declared.id},3,approved,`) && line.includes(',3,2,'))).toBe(true);
    expect(lines.some((line) => line.startsWith(`activity,${draftActivityId('sales')},1,draft,`) && line.endsWith('ACTIVITY_NOT_APPROVED'))).toBe(true);
    expect(lines.some((line) => line.startsWith('unapproved-purpose,') && line.includes(',sales,') && line.endsWith('PURPOSE_NOT_APPROVED'))).toBe(true);
    expect(lines.some((line) => line.startsWith('undeclared-purpose,') && line.includes('shadow-profiling') && line.endsWith('UNDECLARED_PURPOSE'))).toBe(true);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil"")"`);

    const html = await audit.api('GET', '/v1/register/export?format=html', { token: editor });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('Record of processing activities');
    expect(html.text).toContain('shadow-profiling');
    expect(html.text).toContain('=HYPERLINK(&#34;http://evil&#34;)');
  });

  it('given register changes, then they are events too, recorded in the audit trail with their actor', async () => {
    await expectEventually(
      async () => {
        const page = (await audit.api('GET', `/v1/audit/entries?action=${ProcessingActivityRecordedSchema.typeName}&limit=50`, { token: auditor })).body as {
          entries: EntryView[];
        };
        expect(page.entries.length).toBeGreaterThanOrEqual(draftRegister().length + 4);
        // The platform's drafts (a service), then the DPO's declarations, approval and edits.
        expect(page.entries.filter((entry) => entry.actorId === DRAFT_ACTOR).map((entry) => entry.actorType)).toEqual(draftRegister().map(() => 'service'));
        expect(page.entries.find((entry) => entry.actorId === 'dpo-editor')).toMatchObject({
          purpose: 'records-of-processing',
          legalBasis: 'legal_obligation',
        });
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});
