import { Inject, Injectable } from '@nestjs/common';
import { ActorType, LegalBasis, LegalHoldLiftedSchema, LegalHoldSetSchema, RetentionPolicyRecordedSchema } from '@crm/contracts';
import { protoEvent, uuidv7, type EventMetadata, type EventStore } from '@crm/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import { contactErased, contactNotFound } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import {
  decideRetention,
  draftPolicies,
  retentionError,
  withActivityPeriod,
  type PolicyDraft,
  validateHoldReference,
  validatePolicyDocument,
  type RetentionFacts,
  type RetentionPolicy,
  type RetentionVerdict,
} from './retention.decision.js';
import { RetentionRepository, type StoredPolicy } from './retention.repository.js';

/** The platform purpose a DPO's retention decisions are recorded under (the register's oversight activity). */
export const OVERSIGHT_PURPOSE = 'data-protection-oversight';
/** How many ids of each policy the preview shows. */
export const PREVIEW_SAMPLE = 10;
/** Contacts read per page by the preview and the sweep. */
export const PAGE_SIZE = 500;

export const policyStream = (policyId: string): string => `retention-policy-${policyId}`;
export const legalHoldStream = (contactId: string): string => `legal-hold-${contactId}`;

export interface PolicyView {
  policyId: string;
  version: number;
  recordedAt: string;
  name: string;
  purpose: string;
  category: string;
  kind: string;
  period: string;
  action: string;
  activityId?: string;
}

export interface RetentionPreview {
  asOf: string;
  /** Live contacts looked at. */
  contacts: number;
  /** Contacts a policy is due for but on legal hold: untouched. */
  held: number;
  policies: Array<{ policyId: string; version: number; name: string; action: string; count: number; sample: string[] }>;
}

export interface Actor {
  actorId: string;
  correlationId: string;
}

/**
 * Retention policies as data (versioned events, one stream per policy, the current version in a table the sweep
 * reads), legal holds (versioned events per contact) and the preview, which walks the contacts exactly as the sweep
 * does and asks the same pure decision (`decideRetention`), so what it shows is what a run would do at that instant.
 */
@Injectable()
export class RetentionPolicies {
  constructor(
    private readonly repository: RetentionRepository,
    private readonly contacts: ContactsRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(): Promise<PolicyView[]> {
    return (await this.repository.policies()).map(view);
  }

  /** The policies the register's approved activities imply and no policy implements yet (docs/retention.md). */
  async drafts(): Promise<PolicyDraft[]> {
    return draftPolicies(await this.repository.activities(), await this.repository.policies());
  }

  async create(input: unknown, actor: Actor): Promise<PolicyView> {
    const document = validatePolicyDocument(await this.#fromRegister(input));
    const policy: StoredPolicy = { policyId: uuidv7(), version: 1, document, recordedAt: this.clock() };
    await withTransaction(this.repository.pool, async (tx) => {
      await this.store.append(policyStream(policy.policyId), 'no_stream', [recorded(policy)], oversight(actor), tx);
      await this.repository.savePolicy(tx, policy);
    });
    return view(policy);
  }

  async revise(policyId: string, input: unknown, actor: Actor): Promise<PolicyView> {
    if (!ContactsRepository.isContactId(policyId)) throw retentionError('RETENTION_POLICY_NOT_FOUND', 'no such retention policy');
    const { expectedVersion, ...rest } = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion) || expectedVersion < 1) {
      throw retentionError('RETENTION_POLICY_INVALID', 'expectedVersion (the version revised) is required', { details: { field: 'expectedVersion' } });
    }
    const document = validatePolicyDocument(await this.#fromRegister(rest));
    return withTransaction(this.repository.pool, async (tx) => {
      const current = await this.repository.policyForUpdate(tx, policyId);
      if (current === undefined) throw retentionError('RETENTION_POLICY_NOT_FOUND', 'no such retention policy');
      if (current.version !== expectedVersion) {
        throw retentionError('RETENTION_POLICY_VERSION_CONFLICT', 'the policy was revised since that version', {
          details: { currentVersion: current.version },
        });
      }
      const next: StoredPolicy = { policyId, version: current.version + 1, document, recordedAt: this.clock() };
      await this.store.append(policyStream(policyId), BigInt(current.version), [recorded(next)], oversight(actor), tx);
      await this.repository.savePolicy(tx, next);
      return view(next);
    });
  }

  async setHold(contactId: string, input: unknown, actor: Actor): Promise<{ contactId: string; reference: string; setAt: string }> {
    const reference = validateHoldReference((input as { reference?: unknown } | null)?.reference);
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const at = this.clock();
    await withTransaction(this.repository.pool, async (tx) => {
      // The contact's row lock orders a hold against an effect being applied to the same contact.
      if (!(await this.repository.lockContact(tx, contactId))) throw await this.#absent(contactId);
      await this.store.append(legalHoldStream(contactId), 'any', [protoEvent(LegalHoldSetSchema, { contactId, reference }, contactId)], oversight(actor), tx);
      await this.repository.setHold(tx, contactId, reference, at);
    });
    return { contactId, reference, setAt: at.toISOString() };
  }

  async liftHold(contactId: string, actor: Actor): Promise<{ contactId: string; lifted: true }> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    await withTransaction(this.repository.pool, async (tx) => {
      if (!(await this.repository.lockContact(tx, contactId))) throw await this.#absent(contactId);
      if (!(await this.repository.liftHold(tx, contactId))) throw retentionError('LEGAL_HOLD_NOT_FOUND', 'the contact has no legal hold');
      await this.store.append(legalHoldStream(contactId), 'any', [protoEvent(LegalHoldLiftedSchema, { contactId }, contactId)], oversight(actor), tx);
    });
    return { contactId, lifted: true };
  }

  async hold(contactId: string): Promise<{ contactId: string; reference: string; setAt: string }> {
    if (!ContactsRepository.isContactId(contactId)) throw contactNotFound();
    const hold = await this.repository.hold(contactId);
    if (hold === undefined) throw retentionError('LEGAL_HOLD_NOT_FOUND', 'the contact has no legal hold');
    return { contactId, reference: hold.reference, setAt: hold.setAt.toISOString() };
  }

  /** What a sweep would do now: per policy, how many contacts and which first ones; and how many a hold keeps. */
  async preview(): Promise<RetentionPreview> {
    const now = this.clock();
    const policies = await this.repository.policies();
    const byPolicy = new Map(policies.map((policy) => [policy.policyId, { policy, count: 0, sample: [] as string[] }]));
    let contacts = 0;
    let held = 0;
    for await (const page of this.pages()) {
      for (const facts of page) {
        contacts += 1;
        const verdict = decideRetention(policies, facts, now);
        if (!verdict.apply) {
          if (verdict.reason === 'legal-hold' && decideRetention(policies, { ...facts, legalHold: false }, now).apply) held += 1;
          continue;
        }
        const entry = byPolicy.get(verdict.policyId)!;
        entry.count += 1;
        if (entry.sample.length < PREVIEW_SAMPLE) entry.sample.push(facts.contactId);
      }
    }
    return {
      asOf: now.toISOString(),
      contacts,
      held,
      policies: [...byPolicy.values()].map(({ policy, count, sample }) => ({
        policyId: policy.policyId,
        version: policy.version,
        name: policy.document.name,
        action: policy.document.action,
        count,
        sample,
      })),
    };
  }

  /** The live contacts' facts, a page at a time in contact id order, from after `cursor`. */
  async *pages(cursor?: string): AsyncGenerator<RetentionFacts[]> {
    let after = cursor;
    for (;;) {
      const page = await this.repository.facts(after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE });
      if (page.length === 0) return;
      yield page;
      after = page.at(-1)!.contactId;
      if (page.length < PAGE_SIZE) return;
    }
  }

  /** A policy naming a register activity: checked against it, and its period taken from it when it gives none. */
  async #fromRegister(input: unknown): Promise<unknown> {
    const activityId = (input as { activityId?: unknown } | null)?.activityId;
    if (typeof activityId !== 'string' || !ContactsRepository.isContactId(activityId)) return input;
    const [activity] = await this.repository.activities(activityId);
    return withActivityPeriod(input, activity);
  }

  async #absent(contactId: string): Promise<Error> {
    return (await this.contacts.erasedAt(contactId)) === undefined ? contactNotFound() : contactErased();
  }
}

export type { RetentionVerdict, RetentionPolicy };

function recorded(policy: StoredPolicy) {
  return protoEvent(RetentionPolicyRecordedSchema, { policyId: policy.policyId, version: policy.version, documentJson: JSON.stringify(policy.document) });
}

function oversight(actor: Actor): EventMetadata {
  return {
    actor: { id: actor.actorId, type: ActorType.USER },
    purpose: OVERSIGHT_PURPOSE,
    legalBasis: LegalBasis.LEGAL_OBLIGATION,
    correlationId: actor.correlationId,
  };
}

function view(policy: StoredPolicy): PolicyView {
  return { policyId: policy.policyId, version: policy.version, recordedAt: policy.recordedAt.toISOString(), ...policy.document };
}
