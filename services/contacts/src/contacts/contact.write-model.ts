import { Inject, Injectable } from '@nestjs/common';
import type { FieldCipher } from '@crm/crypto';
import type { EventCodec, LoadedState, LoadRefused, StateChange, WriteModel } from '@crm/eventstore';
import { FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import { contactErased, ContactProjection } from '../read-model/contact.projection.js';
import { ContactsRepository, type ContactRow } from '../read-model/contacts.repository.js';
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
    const [loaded] = await this.#load(tx, [command], { lookUpCreates: true });
    if (loaded === undefined || 'refused' in loaded) throw loaded?.refused;
    return loaded;
  }

  /**
   * A group's rows in one locking read, plus (only when asked) which are erased and which purchases are stored. A
   * group's creations are not looked up: a new contact has no row to lock, and "no such contact yet" is what the
   * append checks anyway (expected version 0). Should one exist, the append refuses the group, and the pipeline runs
   * its commands one by one through `load`, which looks the row up and refuses with CONTACT_ALREADY_EXISTS.
   */
  loadMany(tx: PoolClient, commands: readonly ContactCommand[]): Promise<Array<LoadedState<ContactState> | LoadRefused>> {
    return this.#load(tx, commands, { lookUpCreates: false });
  }

  async #load(
    tx: PoolClient,
    commands: readonly ContactCommand[],
    options: { lookUpCreates: boolean },
  ): Promise<Array<LoadedState<ContactState> | LoadRefused>> {
    const lookedUp = commands.filter((command) => options.lookUpCreates || command.type !== 'CreateContact').map((command) => command.contactId);
    const rows = lookedUp.length === 0 ? new Map<string, ContactRow>() : await this.contacts.byIdsForUpdate(tx, lookedUp);
    const absent = commands.filter((command) => command.type !== 'CreateContact' && !rows.has(command.contactId)).map((command) => command.contactId);
    const erased = absent.length === 0 ? new Set<string>() : await this.contacts.erasedAmong(tx, absent);
    const purchases = commands.flatMap((command) =>
      command.type === 'AddTransaction' && rows.has(command.contactId) ? [{ contactId: command.contactId, transactionId: command.transactionId }] : [],
    );
    const stored = purchases.length === 0 ? new Set<string>() : await this.contacts.transactionsAmong(tx, purchases);
    return Promise.all(
      commands.map(async (command): Promise<LoadedState<ContactState> | LoadRefused> => {
        const row = rows.get(command.contactId);
        if (row === undefined) {
          return erased.has(command.contactId) ? { refused: contactErased() } : { state: contactDecider.initialState(), version: 0n };
        }
        // Only what the commands decide on: status, restriction, the data (to rectify), and the one purchase asked about.
        const seen = command.type === 'AddTransaction' && stored.has(`${command.contactId}/${command.transactionId}`);
        const state: ContactState = {
          status: 'active',
          restricted: row.restricted,
          ...(row.restriction_reason === null ? {} : { restrictionReason: row.restriction_reason as RestrictionReason }),
          data: command.type === 'RectifyContact' ? await this.projection.openRecord(row) : {},
          transactionIds: new Set(seen ? [command.transactionId] : []),
        };
        return { state, version: BigInt(row.version) };
      }),
    );
  }

  save(tx: PoolClient, change: StateChange<ContactCommand, ContactState, ContactEvent>): Promise<void> {
    return this.saveMany(tx, [change]);
  }

  saveMany(tx: PoolClient, changes: ReadonlyArray<StateChange<ContactCommand, ContactState, ContactEvent>>): Promise<void> {
    return this.projection.applyMany(
      tx,
      changes.map((change) => ({ contactId: change.command.contactId, version: change.version, state: change.state, events: change.events, at: change.at })),
    );
  }
}
