import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL, type Pool } from '@crm/postgres';
import type { Purpose } from '../contact-schema/index.js';
import { AccessRecorder, type AccessChannelName } from '../access-recording/access.recorder.js';
import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';
import type { ProcessingContext } from '../processing/processing-context.js';
import { basisRequirement, decideBasis, NO_CONSENT_STATE, type ConsentState } from './basis.decision.js';
import { lawfulBasisError } from './lawful-basis.errors.js';

/** Processing of contacts for a purpose, on the basis the request claimed (or the purpose's default). */
export type BasisContext = ProcessingContext & { purpose: Purpose };

/**
 * Enforcement where the data is: before a contact's data is read for a purpose, its lawful basis must be there
 * (`basis.decision.ts`), judged on `consent_states`, which the consent-states projector keeps from consent's events.
 * A refusal answers 403 and is recorded as a `ContactProcessingRefused` access event.
 */
@Injectable()
export class LawfulBasis {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly access: AccessRecorder,
  ) {}

  async stateOf(contactId: string, purpose: Purpose): Promise<ConsentState> {
    const { rows } = await this.pool.query<{ consent_in_force: boolean; objected: boolean }>(
      `SELECT consent_in_force, objected FROM ${CONTACTS_SCHEMA}.consent_states WHERE contact_id = $1 AND purpose = $2`,
      [contactId, purpose],
    );
    const row = rows[0];
    return row === undefined ? NO_CONSENT_STATE : { consentInForce: row.consent_in_force, objected: row.objected };
  }

  /** Throws `CONSENT_REQUIRED` or `OBJECTION_RECORDED` (403), recorded as a refusal, unless the basis is there. */
  async ensure(contactId: string, context: BasisContext, channel: AccessChannelName): Promise<void> {
    const outcome = decideBasis(context.purpose, context.legalBasis, await this.stateOf(contactId, context.purpose));
    if (outcome === 'allowed') return;
    this.access.refused(context, channel, outcome, [contactId]);
    throw outcome === 'CONSENT_REQUIRED'
      ? lawfulBasisError('CONSENT_REQUIRED', `processing for ${context.purpose} on consent needs the contact's consent in force`)
      : lawfulBasisError('OBJECTION_RECORDED', `the contact objected to processing for ${context.purpose}`);
  }

  /**
   * Of these contacts (existing, not restricted), the ones processing for the purpose is refused for: what an export by
   * id leaves out, each recorded as a refusal with its reason.
   */
  async refuseAmong(contactIds: readonly string[], context: BasisContext, channel: AccessChannelName): Promise<Set<string>> {
    const requirement = basisRequirement(context.purpose, context.legalBasis);
    if (contactIds.length === 0 || (!requirement.consent && !requirement.noObjection)) return new Set();
    const { rows } = await this.pool.query<{ contact_id: string; consent_in_force: boolean | null; objected: boolean | null }>(
      `SELECT r.contact_id, c.consent_in_force, c.objected
         FROM ${CONTACTS_SCHEMA}.contact_records r LEFT JOIN ${CONTACTS_SCHEMA}.consent_states c ON c.contact_id = r.contact_id AND c.purpose = $2
        WHERE r.contact_id = ANY($1::uuid[]) AND NOT r.restricted`,
      [contactIds, context.purpose],
    );
    const refused = new Set<string>();
    for (const reason of ['CONSENT_REQUIRED', 'OBJECTION_RECORDED'] as const) {
      const ids = rows
        .filter(
          (row) =>
            decideBasis(context.purpose, context.legalBasis, { consentInForce: row.consent_in_force ?? false, objected: row.objected ?? false }) === reason,
        )
        .map((row) => row.contact_id);
      for (const id of ids) refused.add(id);
      this.access.refused(context, channel, reason, ids);
    }
    return refused;
  }
}
