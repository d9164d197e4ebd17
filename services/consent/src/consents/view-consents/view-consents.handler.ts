import { Inject, Injectable } from '@nestjs/common';
import { consentApi, type ResponseOf } from '@crm/api-contract';
import type { EventStore } from '@crm/eventstore';
import { EVENT_STORE } from '@crm/platform';
import { PG_POOL, withTransaction, type Pool } from '@crm/postgres';
import { KnownContacts } from '../../known-contacts/known-contacts.repository.js';
import { assertContactId } from '../consent-commands.service.js';
import { ConsentStates } from '../consent-states.repository.js';
import { consentError } from '../consent.errors.js';
import { ConsentWriteModel } from '../consent.write-model.js';
import { consentStream } from '../consent.streams.js';

/**
 * The view as the API contract states it: the current consent and objection per purpose, as the state row holds
 * them, and every consent, withdrawal and objection, oldest first, with its evidence (null once the contact is erased).
 */
export type ConsentsView = ResponseOf<typeof consentApi.viewConsents>;

/** One entry of the history: an event of the contact's consent stream, with its version and the actor who recorded it. */
export type ConsentHistoryEntry = ConsentsView['history'][number];

/**
 * A contact's consents: the current state per purpose and the full history, the proof a DPO shows. Both are read in
 * one snapshot, so the state is exactly the fold of the history shown with it. An id consent has never learnt of from
 * contacts' events answers 404 `CONSENT_CONTACT_UNKNOWN`, as a write would; a known contact with no consent record
 * answers an empty view (an erased one stays known: its history, evidence `null`, is the proof kept).
 */
@Injectable()
export class ViewConsentsHandler {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: ConsentStates,
    private readonly model: ConsentWriteModel,
    private readonly known: KnownContacts,
  ) {}

  async execute(contactId: string): Promise<ConsentsView> {
    assertContactId(contactId);
    if (!(await this.known.has(contactId))) {
      throw consentError('CONSENT_CONTACT_UNKNOWN', 'no contact with this id is known (a contact created a moment ago is known within seconds)');
    }
    const { row, recorded } = await withTransaction(
      this.pool,
      async (client) => ({ row: await this.states.byId(contactId, client), recorded: await this.store.readStream(consentStream(contactId), 1n, client) }),
      'REPEATABLE READ READ ONLY',
    );
    const history = await Promise.all(
      recorded.map(async (event): Promise<ConsentHistoryEntry> => {
        const { contactId: _subject, ...entry } = await this.model.codec.decodeHistory(event.envelope);
        return { version: Number(event.streamVersion), ...entry };
      }),
    );
    return { contactId, version: Number(row?.version ?? 0n), consents: row?.state.consents ?? {}, objections: row?.state.objections ?? {}, history };
  }
}
