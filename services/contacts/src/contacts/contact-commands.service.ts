import { Inject, Injectable } from '@nestjs/common';
import { isCryptoError, type FieldCipher } from '@crm/crypto';
import { handleCommand, StreamVersionConflict, type EventStore } from '@crm/eventstore';
import { EVENT_STORE, FIELD_CIPHER } from '@crm/platform';
import { withTransaction } from '@crm/postgres';
import type { ContactData } from '../contact-schema/index.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { contactErased, contactNotFound, ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { contactCodec } from './contact.codec.js';
import { contactDecider, type ContactCommand, type ContactState } from './contact.decider.js';
import { contactStream } from './contact.streams.js';

const MAX_CONFLICT_RETRIES = 3;

export interface CommandOutcome {
  version: bigint;
  state: ContactState;
}

/**
 * Runs contact commands: decide on the stream's history, append, and project into the read model, all in one
 * transaction. Without `expectedVersion` a concurrent writer only causes a retry; with it (an `If-Match`), the
 * command is refused, because it was based on data that has changed since.
 */
@Injectable()
export class ContactCommands {
  readonly #codec;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(FIELD_CIPHER) cipher: FieldCipher,
    private readonly contacts: ContactsRepository,
    private readonly projection: ContactProjection,
  ) {
    this.#codec = contactCodec(cipher, { skipTransactionDetails: true });
  }

  async execute(command: ContactCommand, context: ProcessingContext, expectedVersion?: bigint): Promise<CommandOutcome> {
    if (!ContactsRepository.isContactId(command.contactId)) throw contactNotFound();
    if (command.type !== 'CreateContact' && (await this.contacts.erasedAt(command.contactId)) !== undefined) throw contactErased();
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTransaction(this.contacts.pool, async (tx) => {
          const options = { client: tx, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
          const result = await handleCommand(this.store, contactDecider, this.#codec, contactStream(command.contactId), command, eventMetadata(context), options);
          if (result.events.length > 0) await this.projection.apply(tx, command.contactId, result.nextExpectedVersion, result.state, result.events, new Date());
          return { version: result.nextExpectedVersion, state: result.state };
        });
      } catch (error) {
        if (isCryptoError(error, 'KEY_SHREDDED')) throw contactErased(error);
        if (!(error instanceof StreamVersionConflict) || expectedVersion !== undefined || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  /**
   * Creates many new contacts in one transaction (a bulk import's batch). Each id is fresh, so there is no history
   * to read and no decision that can fail but the create itself.
   */
  async createMany(contacts: ReadonlyArray<{ contactId: string; data: ContactData }>, context: ProcessingContext): Promise<void> {
    const decided = contacts.map(({ contactId, data }) => {
      const events = contactDecider.decide({ type: 'CreateContact', contactId, data }, contactDecider.initialState());
      return { contactId, events, state: events.reduce(contactDecider.evolve, contactDecider.initialState()) };
    });
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
}
