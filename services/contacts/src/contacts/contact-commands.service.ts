import { Inject, Injectable } from '@nestjs/common';
import type { FieldCipher } from '@crm/crypto';
import { StreamVersionConflict, type EventStore } from '@crm/eventstore';
import { EVENT_STORE, FIELD_CIPHER } from '@crm/platform';
import { withTransaction, type PoolClient } from '@crm/postgres';
import type { ContactData } from '../contact-schema/index.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { contactErased, contactNotFound, ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { contactCodec } from './contact.codec.js';
import { contactDecider, type ContactCommand, type ContactState, type RestrictionReason } from './contact.decider.js';
import { contactStream } from './contact.streams.js';

export interface CommandOutcome {
  version: bigint;
  state: ContactState;
}

/**
 * Runs contact commands: decide, append, project — one transaction.
 *
 * The decision's state comes from the contact's read-model row, locked `FOR UPDATE`: the row is written in the same
 * transaction as every event of the contact, so it is exactly the state the stream folds to, and it costs one row
 * (one blob to open) however long the history. That is what keeps a write to a contact with ten thousand purchases
 * as fast as to a new one. Concurrent commands on one contact queue on the lock instead of failing; `If-Match`
 * (`expectedVersion`) refuses a command based on a version that is no longer current.
 */
@Injectable()
export class ContactCommands {
  readonly #codec;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly contacts: ContactsRepository,
    private readonly projection: ContactProjection,
  ) {
    this.#codec = contactCodec(cipher);
  }

  async execute(command: ContactCommand, context: ProcessingContext, expectedVersion?: bigint): Promise<CommandOutcome> {
    if (!ContactsRepository.isContactId(command.contactId)) throw contactNotFound();
    const stream = contactStream(command.contactId);
    return withTransaction(this.contacts.pool, async (tx) => {
      const { state, version } = await this.#snapshot(tx, command);
      if (expectedVersion !== undefined && expectedVersion !== version) throw new StreamVersionConflict(stream, String(expectedVersion), String(version));
      const events = contactDecider.decide(command, state);
      if (events.length === 0) return { version, state };
      const encoded = await Promise.all(events.map((event) => this.#codec.encode(event)));
      const result = await this.store.append(stream, version === 0n ? 'no_stream' : version, encoded, eventMetadata(context), tx);
      const next = events.reduce(contactDecider.evolve, state);
      await this.projection.apply(tx, command.contactId, result.nextExpectedVersion, next, events, new Date());
      return { version: result.nextExpectedVersion, state: next };
    });
  }

  /**
   * Creates many new contacts in one transaction (a bulk import's batch). Each id is fresh, so there is no state to
   * read and no decision that can fail but the create itself.
   */
  async createMany(contacts: ReadonlyArray<{ contactId: string; data: ContactData }>, context: ProcessingContext): Promise<void> {
    const decided = contacts.map(({ contactId, data }) => {
      const events = contactDecider.decide({ type: 'CreateContact', contactId, data }, contactDecider.initialState());
      return { contactId, events, state: events.reduce(contactDecider.evolve, contactDecider.initialState()) };
    });
    // One key-vault transaction creates the batch's keys; sealing then finds them cached.
    await this.cipher.prepareSubjects(contacts.map(({ contactId }) => contactId));
    const encoded = await Promise.all(decided.map(({ events }) => Promise.all(events.map((event) => this.#codec.encode(event)))));
    const metadata = eventMetadata(context);
    await withTransaction(this.contacts.pool, async (tx) => {
      const now = new Date();
      for (const [index, { contactId, events, state }] of decided.entries()) {
        const result = await this.store.append(contactStream(contactId), 'no_stream', encoded[index]!, metadata, tx);
        await this.projection.apply(tx, contactId, result.nextExpectedVersion, state, events, now);
      }
    });
  }

  /** The state a decision needs, from the locked row: status, restriction, data, and the one transaction id asked about. */
  async #snapshot(tx: PoolClient, command: ContactCommand): Promise<{ state: ContactState; version: bigint }> {
    const row = await this.contacts.byId(command.contactId, tx, { forUpdate: true });
    if (row === undefined) {
      if (command.type !== 'CreateContact' && (await this.contacts.erasedAt(command.contactId, tx)) !== undefined) throw contactErased();
      return { state: contactDecider.initialState(), version: 0n };
    }
    const seen = command.type === 'AddTransaction' && (await this.contacts.hasTransaction(tx, command.contactId, command.transactionId));
    const state: ContactState = {
      status: 'active',
      restricted: row.restricted,
      ...(row.restriction_reason === null ? {} : { restrictionReason: row.restriction_reason as RestrictionReason }),
      data: command.type === 'RectifyContact' ? await this.projection.openRecord(row) : {},
      transactionIds: new Set(seen ? [command.transactionId] : []),
    };
    return { state, version: BigInt(row.version) };
  }
}
