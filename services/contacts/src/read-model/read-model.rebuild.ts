import { dateFromTimestamp } from '@crm/contracts';
import { isCryptoError, type FieldCipher } from '@crm/crypto';
import { START, type EventCodec, type EventStore, type RecordedEvent, type StateRowsRefold } from '@crm/eventstore';
import { withTransaction, type Pool, type PoolClient } from '@crm/postgres';
import { contactCodec } from '../contacts/contact.codec.js';
import { contactDecider, type ContactEvent, type ContactState } from '../contacts/contact.decider.js';
import type { ContactProjection } from './contact.projection.js';
import type { ContactsRepository } from './contacts.repository.js';

export interface RebuildOutcome {
  events: number;
  contacts: number;
  /** Contacts whose key is gone: they come back as tombstones, never as data. */
  erased: number;
}

const CONTACT_STREAM = /^contact-(.+)$/;

/**
 * Rebuilds the read model from the event store, as after a schema change or a lost database. Replays every contact
 * event in commit order; a contact whose key has been shredded cannot be decoded and is restored as a tombstone, so
 * a rebuild can never bring erased personal data back.
 */
export async function rebuildReadModel(deps: {
  pool: Pool;
  store: EventStore;
  cipher: FieldCipher;
  contacts: ContactsRepository;
  projection: ContactProjection;
}): Promise<RebuildOutcome> {
  const codec = contactCodec(deps.cipher);
  await withTransaction(deps.pool, (tx) => deps.contacts.truncate(tx));
  const states = new Map<string, ContactState | 'shredded'>();
  const outcome: RebuildOutcome = { events: 0, contacts: 0, erased: 0 };
  for (let position = START; ;) {
    const page = await deps.store.readAll(position, 500);
    if (page.length === 0) break;
    position = { txId: page.at(-1)!.txId, globalPosition: page.at(-1)!.globalPosition };
    await withTransaction(deps.pool, async (tx) => {
      for (const recorded of page) {
        const contactId = CONTACT_STREAM.exec(recorded.streamId)?.[1];
        if (contactId === undefined) continue;
        const state = states.get(contactId) ?? contactDecider.initialState();
        if (state === 'shredded') continue;
        outcome.events++;
        states.set(contactId, await applyRecorded(tx, deps, codec, contactId, state, recorded));
      }
    });
  }
  // Purchases replayed before their contact's erasure are ciphertext under a destroyed key: they go too.
  await deps.contacts.purgeErasedTransactions();
  for (const state of states.values()) {
    if (state === 'shredded' || state.status === 'erased') outcome.erased++;
    else outcome.contacts++;
  }
  return outcome;
}

type RowsDeps = { contacts: ContactsRepository; projection: ContactProjection };

/**
 * One recorded contact event applied to the rows: decoded with the contact's key and folded into `state`. A contact
 * whose key has been shredded cannot be decoded: it is purged (a tombstone stays) and its state is `'shredded'`.
 */
async function applyRecorded(
  tx: PoolClient,
  deps: RowsDeps,
  codec: EventCodec<ContactEvent>,
  contactId: string,
  state: ContactState,
  recorded: RecordedEvent,
): Promise<ContactState | 'shredded'> {
  // The store stamps every envelope it appends; a row is as old as the event that made it, never "now".
  if (recorded.envelope.occurredAt === undefined) throw new Error(`event ${recorded.envelope.eventId} has no occurred-at time`);
  const at = dateFromTimestamp(recorded.envelope.occurredAt);
  let event;
  try {
    event = await codec.decode(recorded.envelope);
  } catch (error) {
    if (!isCryptoError(error, 'KEY_SHREDDED')) throw error;
    await deps.contacts.purge(tx, contactId, at);
    return 'shredded';
  }
  const next = contactDecider.evolve(state, event);
  await deps.projection.apply(tx, contactId, recorded.streamVersion, next, [event], at);
  return next;
}

/**
 * The rows of one contact whose stream a restore replayed events into (docs/backup.md): they are the snapshot's, so
 * they go (record, search tokens, purchases) and the whole stream is applied again, as a rebuild would; a shredded
 * key leaves a tombstone, never data.
 */
export function contactRowsRefold(deps: RowsDeps & { cipher: FieldCipher }): StateRowsRefold {
  const codec = contactCodec(deps.cipher);
  return {
    matches: (streamId) => CONTACT_STREAM.test(streamId),
    async refold(tx, streamId, recorded) {
      const contactId = CONTACT_STREAM.exec(streamId)![1]!;
      await deps.contacts.forget(tx, contactId);
      let state: ContactState | 'shredded' = contactDecider.initialState();
      for (const event of recorded) {
        if (state === 'shredded') return;
        state = await applyRecorded(tx, deps, codec, contactId, state, event);
      }
    },
  };
}
