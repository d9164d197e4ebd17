import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActorType, LegalBasis, RetentionAction, RetentionAppliedSchema } from '@crm/contracts';
import { protoEvent, uuidv7, type EventStore } from '@crm/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { ContactErasure } from '../erasure/contact-erasure.service.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { decideRetention, retentionError, type RetentionPolicy } from './retention.decision.js';
import { RetentionRepository, type RunRow } from './retention.repository.js';

/** The actor id retention's events carry (`ACTOR_TYPE_SYSTEM`: no human triggered the effect itself). */
export const SWEEP_ACTOR = 'system';

export interface RetentionSweepSettings {
  /** A running sweep whose heartbeat is older than this is taken to have died, and the next sweep resumes it. */
  leaseMs: number;
  /** Contacts decided and applied per batch (one heartbeat and cursor per batch). */
  batchSize: number;
}
export const RETENTION_SWEEP_SETTINGS = Symbol('RETENTION_SWEEP_SETTINGS');

export interface SweepOutcome {
  runId: string;
  resumed: boolean;
  /** Effects applied by this call (a resumed run's earlier ones are in the run's totals). */
  applied: number;
  held: number;
  skipped: number;
  /** Effects of an earlier, interrupted call whose erasure this call completed. */
  completed: number;
}

/**
 * Where a test steps into a run: before an effect (to change the world under it, as a concurrent erasure would), or
 * to stop it as a crash would, after an effect's record committed or after its erasure.
 */
export type SweepFault = (point: 'deciding' | 'recorded' | 'erased', contactId: string) => void | Promise<void>;

/**
 * The retention sweep. One at a time across replicas (a `running` row, unique, with a heartbeat lease); it walks the
 * live contacts in id order a batch at a time, decides each with the pure `decideRetention` (as the preview does),
 * and applies the effect:
 *
 * 1. in one transaction, on the contact's locked row, decided again (a legal hold or activity since the batch was
 *    read wins): the effect recorded under its idempotence key (policy, version, contact), the purchases copied as
 *    anonymous facts for `anonymise`, and the PII-free `RetentionApplied` appended on a stream of that key;
 * 2. then the subject crypto-shredded and purged by the one erasure path (`ContactErasure`, reason RETENTION_EXPIRED).
 *
 * A crash between the two is healed by the next run, which first completes every recorded effect whose contact is
 * still live; a crash anywhere else is resumed from the run's cursor. Either way each effect happens, and is an
 * event, exactly once.
 */
@Injectable()
export class RetentionSweep {
  readonly #logger = new Logger('RetentionSweep');

  constructor(
    private readonly repository: RetentionRepository,
    private readonly erasure: ContactErasure,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RETENTION_SWEEP_SETTINGS) private readonly settings: RetentionSweepSettings,
  ) {}

  /** Refuses with RETENTION_SWEEP_RUNNING while a live sweep holds the lease (before queueing one). */
  async assertIdle(): Promise<void> {
    const running = await this.repository.runningRun();
    if (running !== undefined && this.#alive(running)) throw sweepRunning();
  }

  async run(requestedId?: string, fault?: SweepFault): Promise<SweepOutcome> {
    const { run, resumed } = await this.#claim(requestedId);
    const runId = run.run_id;
    const outcome: SweepOutcome = { runId, resumed, applied: 0, held: 0, skipped: 0, completed: 0 };
    outcome.completed = await this.#completeInterrupted(runId);
    const policies = await this.repository.policies();
    const now = this.clock();
    let cursor = run.cursor ?? undefined;
    for (;;) {
      const batch = await this.repository.facts(cursor === undefined ? { limit: this.settings.batchSize } : { after: cursor, limit: this.settings.batchSize });
      if (batch.length === 0) break;
      const progress = { applied: 0, held: 0, skipped: 0 };
      for (const facts of batch) {
        const verdict = decideRetention(policies, facts, now);
        if (!verdict.apply) {
          if (verdict.reason === 'legal-hold') progress.held += 1;
          continue;
        }
        const policy = policies.find((candidate) => candidate.policyId === verdict.policyId)!;
        const done = await this.#apply(runId, policies, policy, facts.contactId, now, fault);
        progress[done ? 'applied' : 'skipped'] += 1;
      }
      cursor = batch.at(-1)!.contactId;
      await this.repository.heartbeat(runId, { cursor, ...progress }, this.clock());
      outcome.applied += progress.applied;
      outcome.held += progress.held;
      outcome.skipped += progress.skipped;
      if (batch.length < this.settings.batchSize) break;
    }
    await this.repository.finishRun(runId, this.clock());
    this.#logger.log(`retention sweep ${runId}: ${outcome.applied} applied, ${outcome.held} held, ${outcome.skipped} skipped`);
    return outcome;
  }

  /** A new run, or the run whose process died (its lease expired), resumed from its cursor; a live one: 409. */
  async #claim(requestedId: string | undefined): Promise<{ run: RunRow; resumed: boolean }> {
    try {
      return await withTransaction(this.repository.pool, async (tx) => {
        const running = await this.repository.runningRun(tx);
        if (running !== undefined) {
          if (this.#alive(running)) throw sweepRunning();
          await this.repository.heartbeatIn(tx, running.run_id, this.clock());
          this.#logger.warn(`retention sweep ${running.run_id} stopped without finishing; resuming it`);
          return { run: running, resumed: true };
        }
        const runId = requestedId !== undefined && ContactsRepository.isContactId(requestedId) ? requestedId : uuidv7();
        await this.repository.insertRun(tx, runId, this.clock());
        return { run: (await this.repository.run(runId, tx))!, resumed: false };
      });
    } catch (error) {
      // Two replicas starting at once: the unique "one running" index refuses the second.
      if ((error as { code?: unknown }).code === '23505') throw sweepRunning();
      throw error;
    }
  }

  #alive(run: RunRow): boolean {
    return this.clock().getTime() - run.heartbeat_at.getTime() < this.settings.leaseMs;
  }

  /** Effects recorded by an interrupted call whose contact is still live: their erasure is what is left to do. */
  async #completeInterrupted(runId: string): Promise<number> {
    const unfinished = await this.repository.unfinishedEffects();
    for (const effect of unfinished) {
      await this.#erase(effect.contactId, effect.purpose, runId);
    }
    return unfinished.length;
  }

  async #apply(
    runId: string,
    policies: readonly RetentionPolicy[],
    policy: RetentionPolicy,
    contactId: string,
    now: Date,
    fault?: SweepFault,
  ): Promise<boolean> {
    await fault?.('deciding', contactId);
    const recorded = await withTransaction(this.repository.pool, async (tx) => {
      if (!(await this.repository.lockContact(tx, contactId))) return 'erased' as const;
      const [facts] = await this.repository.facts({ contactIds: [contactId] }, tx);
      const verdict = facts === undefined ? undefined : decideRetention(policies, facts, now);
      if (verdict?.apply !== true || verdict.policyId !== policy.policyId) return 'changed' as const;
      const action = policy.document.action;
      const first = await this.repository.recordApplied(tx, { policyId: policy.policyId, version: policy.version, contactId, runId, action, at: now });
      if (!first) return 'recorded' as const;
      const purchases = action === 'anonymise' ? await this.repository.anonymisePurchases(tx, contactId, policy) : 0;
      const event = protoEvent(
        RetentionAppliedSchema,
        {
          contactId,
          policyId: policy.policyId,
          policyVersion: policy.version,
          action: action === 'anonymise' ? RetentionAction.ANONYMISE : RetentionAction.CRYPTO_SHRED,
          purchasesAnonymised: purchases,
          runId,
        },
        contactId,
      );
      await this.store.append(
        `retention-applied-${policy.policyId}-${policy.version}-${contactId}`,
        'no_stream',
        [event],
        {
          actor: { id: SWEEP_ACTOR, type: ActorType.SYSTEM },
          purpose: policy.document.purpose,
          legalBasis: LegalBasis.LEGAL_OBLIGATION,
          correlationId: runId,
        },
        tx,
      );
      return 'recorded' as const;
    });
    if (recorded === 'erased') {
      // Erased meanwhile (a request, another path): nothing left to shred or anonymise. Ids of policies only in the log.
      this.#logger.log(`retention skip: subject already erased (policy ${policy.policyId} v${policy.version}, ${policy.document.action})`);
      return false;
    }
    if (recorded === 'changed') return false;
    await fault?.('recorded', contactId);
    await this.#erase(contactId, policy.document.purpose, runId);
    await fault?.('erased', contactId);
    return true;
  }

  async #erase(contactId: string, purpose: string, runId: string): Promise<void> {
    await this.erasure.erase(
      contactId,
      { actorId: SWEEP_ACTOR, actorType: ActorType.SYSTEM, purpose, legalBasis: 'legal-obligation', correlationId: runId },
      'RETENTION_EXPIRED',
    );
  }
}

function sweepRunning() {
  return retentionError('RETENTION_SWEEP_RUNNING', 'a retention sweep is running; try again when it has finished');
}
