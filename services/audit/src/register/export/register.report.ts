import type { ActivityDocument } from '../activities/activity.document.js';
import type { PurposeEvidence } from '../evidence/evidence.query.js';
import type { ProcessorDocument } from '../processors/processor.document.js';
import type { RegisterRecord } from '../versioned.register.js';

export const ACTIVITY_FLAGS = {
  /** Events under the activity's purposes stated another legal basis than the one declared. */
  LEGAL_BASIS_MISMATCH: 'LEGAL_BASIS_MISMATCH',
  /** A processor the activity relies on is suspended or terminated, or not in the processor register. */
  PROCESSOR_NOT_ACTIVE: 'PROCESSOR_NOT_ACTIVE',
  /** Declared, but no processing under its purposes was recorded. */
  NO_PROCESSING_RECORDED: 'NO_PROCESSING_RECORDED',
  /** The platform's draft, not yet reviewed and approved by a DPO (`POST /v1/register/activities/{id}/approval`). */
  ACTIVITY_NOT_APPROVED: 'ACTIVITY_NOT_APPROVED',
} as const;

export const PURPOSE_FLAGS = {
  /** A purpose the platform uses (built in, or seen in the trail) that no activity declares (Art. 5(1)(b), 30). */
  UNDECLARED_PURPOSE: 'UNDECLARED_PURPOSE',
  /** A purpose the platform uses that only draft activities declare: declared, but not yet approved by a DPO. */
  PURPOSE_NOT_APPROVED: 'PURPOSE_NOT_APPROVED',
} as const;
export type PurposeFlag = (typeof PURPOSE_FLAGS)[keyof typeof PURPOSE_FLAGS];

/** Where a purpose the platform uses stands in the register. */
export interface PurposeStanding {
  purpose: string;
  /** One of the platform's built-in purposes (the purpose catalogue), whether or not processing was seen yet. */
  builtIn: boolean;
  /** `approved`: an approved activity declares it; `draft`: only drafts do; `undeclared`: no activity does. */
  status: 'approved' | 'draft' | 'undeclared';
  /** The activities declaring it, approved ones first. */
  activityIds: string[];
  /** Empty when approved; else one stable flag. */
  flags: PurposeFlag[];
}
export type PurposeCoverage = PurposeStanding & PurposeEvidence;

export type ProcessorView = RegisterRecord<ProcessorDocument> & { subProcessorIds: string[] };

export interface ActivityView extends RegisterRecord<ActivityDocument> {
  processors: Array<{ id: string; name: string; country: string; status: string }>;
  evidence: PurposeEvidence;
  flags: string[];
}

export interface UndeclaredPurpose extends PurposeEvidence {
  purpose: string;
  /** Always `UNDECLARED_PURPOSE`: processing happened under a purpose no activity declares (Art. 5(1)(b), 30). */
  flag: 'UNDECLARED_PURPOSE';
}

export interface RegisterReport {
  generatedAt: string;
  activities: ActivityView[];
  processors: ProcessorView[];
  /** Every purpose the platform uses (built in first, in catalogue order, then others seen in the trail). */
  purposes: PurposeCoverage[];
  /** The purposes no activity declares at all (those of `purposes` flagged `UNDECLARED_PURPOSE`). */
  undeclaredPurposes: UndeclaredPurpose[];
}

export function processorViews(processors: ReadonlyArray<RegisterRecord<ProcessorDocument>>): ProcessorView[] {
  return processors.map((processor) => ({
    ...processor,
    subProcessorIds: processors.filter((other) => other.document.parentProcessorId === processor.id).map((other) => other.id),
  }));
}

/** Pure: an activity joined with its processors and the evidence of what was done under its purposes. */
export function activityView(
  activity: RegisterRecord<ActivityDocument>,
  processors: ReadonlyMap<string, RegisterRecord<ProcessorDocument>>,
  evidence: PurposeEvidence,
): ActivityView {
  const linked = activity.document.processorIds.map((id) => processors.get(id));
  const flags: string[] = [];
  if (evidence.legalBases.some((basis) => basis.legalBasis !== activity.document.legalBasis)) flags.push(ACTIVITY_FLAGS.LEGAL_BASIS_MISMATCH);
  if (linked.some((processor) => processor === undefined || processor.document.status !== 'active')) flags.push(ACTIVITY_FLAGS.PROCESSOR_NOT_ACTIVE);
  if (evidence.events === 0) flags.push(ACTIVITY_FLAGS.NO_PROCESSING_RECORDED);
  if (activity.status === 'draft') flags.push(ACTIVITY_FLAGS.ACTIVITY_NOT_APPROVED);
  return {
    ...activity,
    processors: linked.flatMap((processor) =>
      processor === undefined
        ? []
        : [{ id: processor.id, name: processor.document.name, country: processor.document.country, status: processor.document.status }],
    ),
    evidence,
    flags,
  };
}

/**
 * Pure: every purpose the platform uses — its built-in purposes and every purpose seen in the trail — joined with
 * the activities declaring it. Only an approved activity makes a purpose declared: one declared by drafts alone
 * is `PURPOSE_NOT_APPROVED` (awaiting the DPO's review), one declared by none `UNDECLARED_PURPOSE`.
 */
export function purposeStandings(
  builtIn: readonly string[],
  seen: readonly string[],
  activities: ReadonlyArray<RegisterRecord<ActivityDocument>>,
): PurposeStanding[] {
  const builtInSet = new Set(builtIn);
  const used = [...builtIn, ...[...new Set(seen)].filter((purpose) => !builtInSet.has(purpose)).sort()];
  return used.map((purpose) => {
    const declaring = activities.filter((activity) => activity.document.purposes.includes(purpose));
    const approved = declaring.filter((activity) => activity.status === 'approved');
    const drafts = declaring.filter((activity) => activity.status !== 'approved');
    const status = approved.length > 0 ? 'approved' : drafts.length > 0 ? 'draft' : 'undeclared';
    const flags: PurposeFlag[] = status === 'approved' ? [] : status === 'draft' ? [PURPOSE_FLAGS.PURPOSE_NOT_APPROVED] : [PURPOSE_FLAGS.UNDECLARED_PURPOSE];
    return { purpose, builtIn: builtInSet.has(purpose), status, activityIds: [...approved, ...drafts].map((activity) => activity.id), flags };
  });
}
