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
} as const;

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

/** Purposes seen in the trail that no activity declares. */
export function undeclaredPurposes(seen: readonly string[], activities: ReadonlyArray<RegisterRecord<ActivityDocument>>): string[] {
  const declared = new Set(activities.flatMap((activity) => activity.document.purposes));
  return seen.filter((purpose) => !declared.has(purpose));
}
