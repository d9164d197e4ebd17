// The register of processing activities on a fresh platform, through the gateway (issue 12): it starts as the
// platform's drafts, one per built-in purpose, awaiting the DPO's review (not as a page of undeclared purposes); the
// DPO approves one; a purpose no activity declares is flagged.
import { adminSession, createStaffUser, expectEventually, request as call, signIn, uniqueName } from '@crm/testing';

/** The API's shapes, as a client sees them (e2e tests do not import service code). */
interface Activity {
  id: string;
  version: number;
  status: 'draft' | 'approved';
  recordedBy: string;
  document: Record<string, unknown> & { purposes: string[] };
  flags: string[];
}
interface Purpose {
  purpose: string;
  builtIn: boolean;
  status: 'approved' | 'draft' | 'undeclared';
  activityIds: string[];
  flags: string[];
}
interface Report {
  activities: Activity[];
  purposes: Purpose[];
  undeclaredPurposes: Array<{ purpose: string; flag: string }>;
}

const BUILT_IN = [
  'customer-service',
  'sales',
  'billing',
  'marketing',
  'analytics',
  'legal-claims',
  'access-control',
  'data-protection-oversight',
  'data-subject-rights',
  'records-of-processing',
];
const tag = uniqueName('reg');
let dpo: string;
let dpoId: string;
let sales: string;

const report = async (): Promise<Report> => {
  const answer = await call('GET', '/v1/register/export?format=json', dpo);
  expect(answer.status).toBe(200);
  return answer.body as unknown as Report;
};

beforeAll(async () => {
  const admin = (await adminSession()).accessToken;
  const [d, s] = [await createStaffUser(admin, 'dpo', 'register'), await createStaffUser(admin, 'sales', 'register')];
  dpoId = d.id;
  dpo = (await signIn(d.email, d.password, { step: 1 })).accessToken;
  sales = (await signIn(s.email, s.password, { step: 1 })).accessToken;
});

describe('the draft register through the gateway', () => {
  it('given the platform, then every built-in purpose is declared by a draft or an approved activity, none undeclared, and drafts are flagged for review', async () => {
    const { purposes, activities } = await report();
    const builtIn = purposes.filter((purpose) => purpose.builtIn);
    expect(builtIn.map((purpose) => purpose.purpose)).toEqual(BUILT_IN);
    for (const purpose of builtIn) {
      expect([purpose.purpose, ['draft', 'approved'].includes(purpose.status)]).toEqual([purpose.purpose, true]);
      expect(purpose.flags).toEqual(purpose.status === 'draft' ? ['PURPOSE_NOT_APPROVED'] : []);
    }
    // Only an approved activity declares a purpose: one declared by drafts alone is still awaiting review.
    for (const purpose of builtIn) {
      const approved = activities.some((activity) => activity.status === 'approved' && activity.document.purposes.includes(purpose.purpose));
      expect([purpose.purpose, purpose.status]).toEqual([purpose.purpose, approved ? 'approved' : 'draft']);
    }
    // A platform's drafts until its DPO approves them (each run of the next test approves one).
    const drafts = activities.filter((activity) => activity.status === 'draft');
    for (const draft of drafts) expect(draft.flags).toContain('ACTIVITY_NOT_APPROVED');
    expect(activities.find((activity) => activity.document.name === 'Direct marketing')?.document).toMatchObject({
      legalBasis: 'consent',
      retentionPeriod: 'until-withdrawal',
    });
  });

  it('given a draft, when the DPO approves the version reviewed, then it is approved, a version of its own in the audit trail, its purposes are declared, and a notice states it', async () => {
    const { activities } = await report();
    // A fresh platform has a draft per built-in purpose; one whose DPO approved them all (this test approves one per
    // run) has none left, and approving an approved activity is refused.
    const draft = activities.find((activity) => activity.status === 'draft');
    if (draft === undefined) {
      const approvedAlready = activities.find((activity) => activity.status === 'approved')!;
      const refused = await call('POST', `/v1/register/activities/${approvedAlready.id}/approval`, dpo, { expectedVersion: approvedAlready.version });
      expect([refused.status, refused.body.code]).toEqual([409, 'AUDIT_REGISTER_ALREADY_APPROVED']);
      return;
    }
    expect((await call('POST', `/v1/register/activities/${draft.id}/approval`, sales, { expectedVersion: draft.version })).status).toBe(403);

    const approved = await call('POST', `/v1/register/activities/${draft.id}/approval`, dpo, { expectedVersion: draft.version });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: draft.id, version: draft.version + 1, status: 'approved', recordedBy: dpoId });
    expect(approved.body.flags).not.toContain('ACTIVITY_NOT_APPROVED');
    const again = await call('POST', `/v1/register/activities/${draft.id}/approval`, dpo, { expectedVersion: draft.version + 1 });
    expect([again.status, again.body.code]).toEqual([409, 'AUDIT_REGISTER_ALREADY_APPROVED']);

    const after = await report();
    expect(after.activities.find((activity) => activity.id === draft.id)).toMatchObject({ status: 'approved', version: draft.version + 1 });
    for (const code of draft.document.purposes)
      expect(after.purposes.find((purpose) => purpose.purpose === code)).toMatchObject({ status: 'approved', flags: [] });

    // Consent learns the approval from audit's events: a privacy notice drafted now states, for the purpose, what
    // the approved activity says (each attempt is a draft, never published).
    const [code] = draft.document.purposes;
    await expectEventually(
      async () => {
        const notice = await call('POST', '/v1/privacy-notices', dpo, {
          lang: 'en',
          controller: `Example ${tag}`,
          dpoContact: 'iod@example.com',
          rights: 'Write to us.',
        });
        expect(notice.status).toBe(201);
        const stated = (notice.body.register.purposes as Array<{ code: string; declared: boolean; recipients: string[] }>).find((p) => p.code === code);
        expect(stated).toMatchObject({ declared: true, recipients: expect.arrayContaining(draft.document.recipients as string[]) });
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );

    await expectEventually(
      async () => {
        const page = await call('GET', `/v1/audit/entries?actorId=${dpoId}&action=crm.audit.v1.ProcessingActivityRecorded`, dpo);
        expect(page.body.entries).toEqual([expect.objectContaining({ purpose: 'records-of-processing', legalBasis: 'legal_obligation' })]);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('given a purpose no activity declares any more, then it is flagged UNDECLARED_PURPOSE until one declares it again', async () => {
    const declaring = (await report()).activities.filter((activity) => activity.document.purposes.includes('billing'));
    expect(declaring.length).toBeGreaterThan(0);
    const revise = async (activity: Activity, purposes: string[]) => {
      const current = (await call('GET', `/v1/register/activities/${activity.id}`, dpo)).body as unknown as Activity;
      const { name, description, legalBasis, legalBasisNote, dataSubjectCategories, personalDataCategories, recipients, processorIds } = current.document;
      const { thirdCountryTransfers, retentionPeriod, retentionNote, securityMeasures } = current.document;
      const document = { name, description, legalBasis, legalBasisNote, dataSubjectCategories, personalDataCategories, recipients, processorIds };
      const answer = await call('PUT', `/v1/register/activities/${activity.id}`, dpo, {
        ...document,
        thirdCountryTransfers,
        retentionPeriod,
        retentionNote,
        securityMeasures,
        purposes,
        expectedVersion: current.version,
      });
      expect(answer.status).toBe(200);
    };
    for (const activity of declaring) await revise(activity, [`billing-archive-${tag}`.slice(0, 60).toLowerCase()]);
    try {
      const undeclared = await report();
      expect(undeclared.purposes.find((purpose) => purpose.purpose === 'billing')).toMatchObject({
        status: 'undeclared',
        activityIds: [],
        flags: ['UNDECLARED_PURPOSE'],
      });
      expect(undeclared.undeclaredPurposes).toContainEqual(expect.objectContaining({ purpose: 'billing', flag: 'UNDECLARED_PURPOSE' }));
      const csv = await call('GET', '/v1/register/export?format=csv', dpo);
      expect(
        csv.text.split('\r\n').some((line) => line.startsWith('undeclared-purpose,') && line.includes(',billing,') && line.endsWith('UNDECLARED_PURPOSE')),
      ).toBe(true);
    } finally {
      for (const activity of declaring) await revise(activity, activity.document.purposes);
    }
    const declared = await report();
    expect(declared.purposes.find((purpose) => purpose.purpose === 'billing')?.status).not.toBe('undeclared');
  });
});
