import { restoredTrailVerified } from '../../restoring/restore-plan.decision.js';

/** What a drill found, as the verdict needs it. */
export interface DrillFindings {
  /** The restore's stable error code when it did not complete; then nothing else was checked. */
  restoreError?: string;
  streamsDiffering: number;
  erasedSubjectsReadable: number;
  auditVerified: boolean;
  /** The verifier's problem codes. */
  auditProblems: readonly string[];
}

/**
 * Whether a drill passed, and the stable code of every check that failed: the restore itself, the event streams
 * (every restored stream must be a prefix of the live one, byte for byte), erased subjects (none may have a key in
 * the restored vault), and the audit trail (verified against the mirrored signed heads).
 */
export function drillVerdict(findings: DrillFindings): { passed: boolean; failures: string[] } {
  if (findings.restoreError !== undefined) return { passed: false, failures: [findings.restoreError] };
  const failures: string[] = [];
  if (findings.streamsDiffering > 0) failures.push('DRILL_STREAMS_DIFFER');
  if (findings.erasedSubjectsReadable > 0) failures.push('DRILL_ERASED_SUBJECT_READABLE');
  if (!restoredTrailVerified({ verified: findings.auditVerified, problems: findings.auditProblems.map((code) => ({ code })) })) {
    failures.push('DRILL_AUDIT_NOT_VERIFIED');
  }
  return { passed: failures.length === 0, failures };
}
