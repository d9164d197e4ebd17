import { describe, expect, it } from '@jest/globals';
import { drillVerdict, type DrillFindings } from './drill-verdict.decision.js';

const CLEAN: DrillFindings = { streamsDiffering: 0, erasedSubjectsReadable: 0, auditVerified: true, auditProblems: [] };

describe('drillVerdict', () => {
  it('given a restore that matches live, keeps erasures and verifies, then the drill passes', () => {
    expect(drillVerdict(CLEAN)).toEqual({ passed: true, failures: [] });
  });

  it('given a restore that failed, then the drill fails with the restore code alone', () => {
    expect(drillVerdict({ ...CLEAN, restoreError: 'RESTORE_NO_SNAPSHOT', streamsDiffering: 3 })).toEqual({ passed: false, failures: ['RESTORE_NO_SNAPSHOT'] });
  });

  it('given an erased subject whose key came back, then the drill fails', () => {
    expect(drillVerdict({ ...CLEAN, erasedSubjectsReadable: 1 })).toEqual({ passed: false, failures: ['DRILL_ERASED_SUBJECT_READABLE'] });
  });

  it('given a restored stream that is no prefix of the live one, then the drill fails', () => {
    expect(drillVerdict({ ...CLEAN, streamsDiffering: 2 }).failures).toEqual(['DRILL_STREAMS_DIFFER']);
  });

  it('given a head over entries newer than the restore point only, then the drill still passes', () => {
    expect(drillVerdict({ ...CLEAN, auditVerified: false, auditProblems: ['LOG_TRUNCATED'] })).toEqual({ passed: true, failures: [] });
  });

  it('given a rewritten audit trail, then the drill fails', () => {
    expect(drillVerdict({ ...CLEAN, auditVerified: false, auditProblems: ['LOG_TRUNCATED', 'ROOT_MISMATCH'] }).failures).toEqual(['DRILL_AUDIT_NOT_VERIFIED']);
  });

  it('given several failed checks, then each is named', () => {
    expect(drillVerdict({ streamsDiffering: 1, erasedSubjectsReadable: 1, auditVerified: false, auditProblems: ['ENTRY_HASH_MISMATCH'] }).failures).toEqual([
      'DRILL_STREAMS_DIFFER',
      'DRILL_ERASED_SUBJECT_READABLE',
      'DRILL_AUDIT_NOT_VERIFIED',
    ]);
  });
});
