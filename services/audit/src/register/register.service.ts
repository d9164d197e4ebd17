import { Injectable } from '@nestjs/common';
import { auditError } from '../audit.errors.js';
import type { ActivityDocument } from './activities/activity.document.js';
import { EvidenceQuery } from './evidence/evidence.query.js';
import { DRAFT_ACTOR, draftRegister, PLATFORM_PURPOSES } from './drafts/draft-register.js';
import {
  activityView,
  processorViews,
  purposeStandings,
  PURPOSE_FLAGS,
  type ActivityView,
  type ProcessorView,
  type RegisterReport,
} from './export/register.report.js';
import type { ProcessorDocument } from './processors/processor.document.js';
import { Registers } from './register.registers.js';
import type { Change, RegisterRecord } from './versioned.register.js';

/** The register's use cases: declare and revise activities and processors, and read them joined with evidence. */
@Injectable()
export class RegisterService {
  constructor(
    private readonly registers: Registers,
    private readonly evidence: EvidenceQuery,
  ) {}

  async declareActivity(document: ActivityDocument, change: Change): Promise<ActivityView> {
    await this.assertProcessorsExist(document.processorIds);
    return this.activityWithEvidence(await this.registers.activities.create(document, change));
  }

  async reviseActivity(id: string, expectedVersion: number, document: ActivityDocument, change: Change): Promise<ActivityView> {
    await this.assertProcessorsExist(document.processorIds);
    return this.activityWithEvidence(await this.registers.activities.update(id, expectedVersion, document, change));
  }

  async activity(id: string): Promise<ActivityView> {
    return this.activityWithEvidence(await this.registers.activities.get(id));
  }

  activityVersions(id: string): Promise<Array<RegisterRecord<ActivityDocument>>> {
    return this.registers.activities.versions(id);
  }

  async activities(): Promise<ActivityView[]> {
    const [activities, processors] = await Promise.all([this.registers.activities.current(), this.processorMap()]);
    return Promise.all(activities.map(async (activity) => activityView(activity, processors, await this.evidence.forPurposes(activity.document.purposes))));
  }

  async registerProcessor(document: ProcessorDocument, change: Change): Promise<ProcessorView> {
    if (document.parentProcessorId !== undefined) await this.assertProcessorsExist([document.parentProcessorId]);
    const record = await this.registers.processors.create(document, change);
    return { ...record, subProcessorIds: [] };
  }

  async reviseProcessor(id: string, expectedVersion: number, document: ProcessorDocument, change: Change): Promise<ProcessorView> {
    if (document.parentProcessorId !== undefined) await this.assertProcessorsExist([document.parentProcessorId]);
    await this.registers.processors.update(id, expectedVersion, document, change);
    return this.processor(id);
  }

  async processor(id: string): Promise<ProcessorView> {
    await this.registers.processors.get(id);
    return (await this.processors()).find((processor) => processor.id === id)!;
  }

  async processors(): Promise<ProcessorView[]> {
    return processorViews(await this.registers.processors.current());
  }

  /**
   * The draft register: one activity per built-in purpose, proposed by the platform, so a fresh platform's register
   * starts as drafts awaiting review rather than as undeclared purposes. Idempotent and never overwriting: a draft is
   * written only as version 1 of its fixed id when that id has no version yet (so one approved, revised or drafted
   * before is left as it is, and two instances starting at once draft it once), and not at all when activities
   * declare all of its purposes already (a register kept before drafts existed). Answers the ids drafted now.
   */
  async seedDrafts(correlationId: string): Promise<string[]> {
    const current = await this.registers.activities.current();
    const existing = new Set(current.map((activity) => activity.id));
    const declared = new Set(current.flatMap((activity) => activity.document.purposes));
    const drafted: string[] = [];
    for (const { id, document } of draftRegister()) {
      if (existing.has(id) || document.purposes.every((purpose) => declared.has(purpose))) continue;
      const record = await this.registers.activities.draft(id, document, { actorId: DRAFT_ACTOR, actorType: 'service', correlationId });
      if (record !== undefined) drafted.push(id);
    }
    return drafted;
  }

  /** A DPO approves the platform's draft as it stands at `expectedVersion` (the version they reviewed). */
  async approveActivity(id: string, expectedVersion: number, change: Change): Promise<ActivityView> {
    return this.activityWithEvidence(await this.registers.activities.approve(id, expectedVersion, change));
  }

  async report(now: Date): Promise<RegisterReport> {
    const [activities, processors, seen, activityRecords] = await Promise.all([
      this.activities(),
      this.processors(),
      this.evidence.purposesSeen(),
      this.registers.activities.current(),
    ]);
    const builtIn = PLATFORM_PURPOSES.map((purpose) => purpose.code);
    const purposes = await Promise.all(
      purposeStandings(builtIn, seen, activityRecords).map(async (standing) => ({ ...standing, ...(await this.evidence.forPurposes([standing.purpose])) })),
    );
    const undeclared = purposes
      .filter((purpose) => purpose.status === 'undeclared')
      .map(({ purpose, events, distinctSubjects, lastProcessedAt, legalBases }) => ({
        purpose,
        events,
        distinctSubjects,
        lastProcessedAt,
        legalBases,
        flag: PURPOSE_FLAGS.UNDECLARED_PURPOSE,
      }));
    return { generatedAt: now.toISOString(), activities, processors, purposes, undeclaredPurposes: undeclared };
  }

  private async activityWithEvidence(activity: RegisterRecord<ActivityDocument>): Promise<ActivityView> {
    return activityView(activity, await this.processorMap(), await this.evidence.forPurposes(activity.document.purposes));
  }

  private async processorMap(): Promise<Map<string, RegisterRecord<ProcessorDocument>>> {
    return new Map((await this.registers.processors.current()).map((processor) => [processor.id, processor]));
  }

  private async assertProcessorsExist(ids: readonly string[]): Promise<void> {
    const known = await this.registers.processors.exists(ids);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw auditError('AUDIT_PROCESSOR_UNKNOWN', 'the processor register does not hold these processors', { details: { processorIds: unknown } });
  }
}
