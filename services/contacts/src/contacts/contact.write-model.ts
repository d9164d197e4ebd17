import { Inject, Injectable } from '@nestjs/common';
import type { FieldCipher } from '@crm/crypto';
import type { EventCodec, LoadedState, StateChange, WriteModel } from '@crm/eventstore';
import { FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import { contactErased, ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import { contactCodec } from './contact.codec.js';
import { contactDecider, type ContactCommand, type ContactEvent, type ContactState, type RestrictionReason } from './contact.decider.js';
import { contactStream } from './contact.streams.js';

/**
 * The contact aggregate as the command pipeline runs it.
 *
 * Its state comes from the contact's read-model row, locked `FOR UPDATE`: the row is written in the same transaction
 * as every event of the contact (`save`), so it is exactly the state the stream folds to (an integration test
 * compares the two), and it costs one row — one blob to open, and only for a rectification — however long the
 * history. That keeps a write to a contact with ten thousand purchases as fast as to a new one; concurrent commands
 * on one contact queue on the lock instead of failing.
 */
@Injectable()
export class ContactWriteModel implements WriteModel<ContactCommand, ContactState, ContactEvent> {
  readonly decider = contactDecider;
  readonly codec: EventCodec<ContactEvent>;

  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly contacts: ContactsRepository,
    private readonly projection: ContactProjection,
  ) {
    this.codec = contactCodec(cipher);
  }

  /** A group's new contacts get their data keys in one key-vault transaction, before the group's own. */
  async prepare(commands: readonly ContactCommand[]): Promise<void> {
    const created = commands.flatMap((command) => (command.type === 'CreateContact' ? [command.contactId] : []));
    if (created.length > 0) await this.cipher.prepareSubjects(created);
  }

  streamOf(command: ContactCommand): string {
    return contactStream(command.contactId);
  }

  async load(tx: PoolClient, command: ContactCommand): Promise<LoadedState<ContactState>> {
    const row = await this.contacts.byId(command.contactId, tx, { forUpdate: true });
    if (row === undefined) {
      if (command.type !== 'CreateContact' && (await this.contacts.erasedAt(command.contactId, tx)) !== undefined) throw contactErased();
      return { state: contactDecider.initialState(), version: 0n };
    }
    // Only what the commands decide on: status, restriction, the data (to rectify), and the one purchase asked about.
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

  save(tx: PoolClient, change: StateChange<ContactCommand, ContactState, ContactEvent>): Promise<void> {
    return this.projection.apply(tx, change.command.contactId, change.version, change.state, change.events, change.at);
  }
}
