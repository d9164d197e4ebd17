import { ActorType, AuditVerificationFailedSchema, create, EventEnvelopeSchema, LegalBasis, timestampFromDate, toBinary } from '@crm/contracts';
import { createEnvelope, envelopeHeaders } from '@crm/eventstore';
import type { KafkaCluster } from '@crm/messaging';
import type { Clock } from '@crm/platform';
import type { EntriesStore } from '../../trail/entries.store.js';
import type { TreeHeadKey } from '../../tree-heads/tree-head.key.js';
import { verifyDatabase } from '../verify.runner.js';

/** The stable code of the alarm: an error line starting with it, and the `AuditVerificationFailed` event. */
export const AUDIT_VERIFICATION_FAILED = 'AUDIT_VERIFICATION_FAILED';
/** The verifier could not run at all (the backup cluster or the database unreachable): also an alarm. */
export const AUDIT_VERIFICATION_UNAVAILABLE = 'AUDIT_VERIFICATION_UNAVAILABLE';

export interface VerificationOutcome {
  verified: boolean;
  entries: number;
  headsChecked: number;
  /** The verifier's problem codes, each once. */
  problems: string[];
}

export interface AuditVerificationRunnerOptions {
  store: EntriesStore;
  key: TreeHeadKey;
  /** Opens the cluster the trusted heads are read from (the backup cluster: the mirrored copy); closed after each run. */
  openHeadsCluster: () => KafkaCluster;
  headsTopic: string;
  /** Where the alarm event is published (the audit service's own events topic, on the primary cluster). */
  events: KafkaCluster;
  eventsTopic: string;
  logger: { log(message: string): void; error(message: string): void };
  clock: Clock;
}

/**
 * One verification of the audit trail against the signed tree heads mirrored on the backup cluster: every entry in
 * the audit database rehashed, the tree rebuilt, every head's signature and root compared (the verifier the CLI and
 * the restore drills use). A failure is the alarm: an error line starting with `AUDIT_VERIFICATION_FAILED` and an
 * `AuditVerificationFailed` event. Neither carries personal data: codes and counts.
 */
export class AuditVerificationRunner {
  constructor(private readonly options: AuditVerificationRunnerOptions) {}

  async run(id: string, trigger: 'schedule' | 'on-demand'): Promise<VerificationOutcome> {
    const { store, key, headsTopic, logger } = this.options;
    let outcome: VerificationOutcome;
    const heads = this.options.openHeadsCluster();
    try {
      const verdict = await verifyDatabase(store, heads, key, { topic: headsTopic });
      outcome = {
        verified: verdict.verified,
        entries: verdict.entries,
        headsChecked: verdict.headsChecked,
        problems: [...new Set(verdict.problems.map((problem) => problem.code))].sort(),
      };
    } catch (error) {
      outcome = { verified: false, entries: 0, headsChecked: 0, problems: [AUDIT_VERIFICATION_UNAVAILABLE] };
      logger.error(`${AUDIT_VERIFICATION_UNAVAILABLE}: verification ${id} could not run (${error instanceof Error ? error.name : 'error'})`);
    } finally {
      await heads.close().catch(() => undefined);
    }
    if (outcome.verified) {
      logger.log(`audit trail verified against the backup cluster's heads: ${outcome.entries} entries, ${outcome.headsChecked} heads (verification ${id})`);
      return outcome;
    }
    logger.error(
      `${AUDIT_VERIFICATION_FAILED}: the audit trail does not verify against the signed heads on the backup cluster (verification ${id}: ${outcome.problems.join(', ')})`,
    );
    await this.#publish(id, trigger, outcome);
    return outcome;
  }

  async #publish(id: string, trigger: string, outcome: VerificationOutcome): Promise<void> {
    const { events, eventsTopic, logger, clock } = this.options;
    const at = clock();
    const payload = create(AuditVerificationFailedSchema, {
      verificationId: id,
      trigger,
      headsFrom: 'backup',
      entries: BigInt(outcome.entries),
      headsChecked: outcome.headsChecked,
      problems: outcome.problems,
      checkedAt: timestampFromDate(at),
    });
    const envelope = createEnvelope(
      `audit-verification-${id}`,
      1n,
      {
        type: AuditVerificationFailedSchema.typeName,
        payloadType: AuditVerificationFailedSchema.typeName,
        payload: toBinary(AuditVerificationFailedSchema, payload),
      },
      {
        actor: { id: 'audit-service', type: ActorType.SERVICE },
        purpose: 'data-protection-oversight',
        legalBasis: LegalBasis.LEGAL_OBLIGATION,
        correlationId: id,
      },
      at,
    );
    try {
      await events.publish(eventsTopic, [
        {
          key: `audit-verification-${id}`,
          value: Buffer.from(toBinary(EventEnvelopeSchema, envelope)),
          headers: envelopeHeaders(envelope.eventType, envelope.eventId),
        },
      ]);
    } catch {
      logger.error(`${AUDIT_VERIFICATION_FAILED}: the alarm event of verification ${id} could not be published to ${eventsTopic}`);
    }
  }
}
