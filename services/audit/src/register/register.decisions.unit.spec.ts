import type { ActivityDocument } from './activities/activity.document.js';
import { ACTIVITY_FLAGS, activityView, purposeStandings } from './export/register.report.js';
import { decideVersion, type RecordChange, type RegisterRecord, type VersionState } from './versioned.register.js';

const version = (change: RecordChange, state: VersionState) => decideVersion({ id: 'a', json: '{}', actorId: 'dpo', change }, state);
const code = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('register versions: drafts and approval', () => {
  it('given no version, when the platform drafts, then version 1 is a draft; when a DPO declares, then version 1 is approved', () => {
    expect(version('drafted', { version: 0 })).toEqual([{ id: 'a', version: 1, json: '{}', status: 'draft', change: 'drafted' }]);
    expect(version('declared', { version: 0 })).toEqual([{ id: 'a', version: 1, json: '{}', status: 'approved', change: 'declared' }]);
  });

  it('given a record, when drafted again, then refused as a conflict (a draft never overwrites anything)', () => {
    expect(code(() => version('drafted', { version: 1, status: 'approved' }))).toBe('AUDIT_REGISTER_VERSION_CONFLICT');
    expect(code(() => version('drafted', { version: 2, status: 'draft' }))).toBe('AUDIT_REGISTER_VERSION_CONFLICT');
  });

  it('given a draft, when a DPO revises it, then it stays a draft; when approved, then the next version is approved', () => {
    expect(version('revised', { version: 1, status: 'draft' })).toEqual([{ id: 'a', version: 2, json: '{}', status: 'draft', change: 'revised' }]);
    expect(version('approved', { version: 2, status: 'draft' })).toEqual([{ id: 'a', version: 3, json: '{}', status: 'approved', change: 'approved' }]);
    expect(version('revised', { version: 3, status: 'approved' })[0]?.status).toBe('approved');
  });

  it('given an approved record, when approved again, then AUDIT_REGISTER_ALREADY_APPROVED', () => {
    expect(code(() => version('approved', { version: 3, status: 'approved' }))).toBe('AUDIT_REGISTER_ALREADY_APPROVED');
  });
});

const record = (id: string, purposes: string[], status: 'draft' | 'approved'): RegisterRecord<ActivityDocument> => ({
  id,
  version: 1,
  status,
  recordedBy: 'x',
  recordedAt: '2026-12-01T00:00:00.000Z',
  document: {
    name: id,
    purposes,
    legalBasis: 'contract',
    dataSubjectCategories: ['customers'],
    personalDataCategories: ['contact data'],
    recipients: [],
    processorIds: [],
    thirdCountryTransfers: [],
    retentionPeriod: 'P1Y',
    securityMeasures: ['encryption'],
  },
});

describe('the purposes the platform uses, joined with the register', () => {
  it('given built-in purposes and others seen in the trail, when only drafts or nothing declare some, then those are flagged', () => {
    const standings = purposeStandings(
      ['sales', 'marketing', 'billing'],
      ['shadow-profiling', 'sales', 'sales'],
      [record('d-sales', ['sales'], 'draft'), record('a-sales', ['sales'], 'approved'), record('d-marketing', ['marketing'], 'draft')],
    );
    expect(standings).toEqual([
      { purpose: 'sales', builtIn: true, status: 'approved', activityIds: ['a-sales', 'd-sales'], flags: [] },
      { purpose: 'marketing', builtIn: true, status: 'draft', activityIds: ['d-marketing'], flags: ['PURPOSE_NOT_APPROVED'] },
      { purpose: 'billing', builtIn: true, status: 'undeclared', activityIds: [], flags: ['UNDECLARED_PURPOSE'] },
      { purpose: 'shadow-profiling', builtIn: false, status: 'undeclared', activityIds: [], flags: ['UNDECLARED_PURPOSE'] },
    ]);
  });

  it('given a draft activity, then its view is flagged ACTIVITY_NOT_APPROVED; once approved, not', () => {
    const evidence = { events: 1, distinctSubjects: 1, lastProcessedAt: null, legalBases: [{ legalBasis: 'contract', events: 1 }] };
    expect(activityView(record('d', ['sales'], 'draft'), new Map(), evidence).flags).toEqual([ACTIVITY_FLAGS.ACTIVITY_NOT_APPROVED]);
    expect(activityView(record('d', ['sales'], 'approved'), new Map(), evidence).flags).toEqual([]);
  });
});
