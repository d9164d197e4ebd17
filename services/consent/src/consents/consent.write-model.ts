import { Inject, Injectable } from '@nestjs/common';
import type { FieldCipher } from '@crm/crypto';
import { foldingRefold, type LoadedState, type StateChange, type StateRowsRefold, type WriteModel } from '@crm/eventstore';
import { FIELD_CIPHER } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import { ConsentStates } from './consent-states.repository.js';
import { consentCodec } from './consent.codec.js';
import { consentDecider, type ConsentCommand, type ConsentEvent, type ConsentState } from './consent.decider.js';
import { consentStream } from './consent.streams.js';

/**
 * A contact's consents as the command pipeline runs them. The state is the contact's `consent_states` row, locked
 * `FOR UPDATE`: it is written in the same transaction as every event of the stream (`saveMany`), so it is exactly
 * the state the stream folds to (`consent.write-model.int.spec.ts` compares them). A contact without a row has no
 * consent history yet (version 0); two first commands on it race on the append, and the loser decides again.
 */
@Injectable()
export class ConsentWriteModel implements WriteModel<ConsentCommand, ConsentState, ConsentEvent> {
  readonly decider = consentDecider;
  readonly codec: ReturnType<typeof consentCodec>;

  constructor(
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly states: ConsentStates,
  ) {
    this.codec = consentCodec(cipher);
  }

  /**
   * The group's contacts' keys, in one key-vault transaction before the group's own: a consent's evidence is sealed
   * under it, and an erased contact (its key shredded) is refused here, before anything is decided or written.
   */
  prepare(commands: readonly ConsentCommand[]): Promise<void> {
    return this.cipher.prepareSubjects(commands.map((command) => command.contactId));
  }

  streamOf(command: ConsentCommand): string {
    return consentStream(command.contactId);
  }

  async load(tx: PoolClient, command: ConsentCommand): Promise<LoadedState<ConsentState>> {
    const [loaded] = await this.loadMany(tx, [command]);
    return loaded!;
  }

  async loadMany(tx: PoolClient, commands: readonly ConsentCommand[]): Promise<Array<LoadedState<ConsentState>>> {
    const rows = await this.states.byIdsForUpdate(
      tx,
      commands.map((command) => command.contactId),
    );
    return commands.map((command) => {
      const row = rows.get(command.contactId);
      return row === undefined ? { state: consentDecider.initialState(), version: 0n } : { state: row.state, version: row.version };
    });
  }

  save(tx: PoolClient, change: StateChange<ConsentCommand, ConsentState, ConsentEvent>): Promise<void> {
    return this.saveMany(tx, [change]);
  }

  saveMany(tx: PoolClient, changes: ReadonlyArray<StateChange<ConsentCommand, ConsentState, ConsentEvent>>): Promise<void> {
    return this.states.saveMany(
      tx,
      changes
        .filter((change) => change.events.length > 0)
        .map((change) => ({ contactId: change.command.contactId, version: change.version, state: change.state, at: change.at })),
    );
  }

  /** The `consent_states` row of a stream a restore replayed events into, refolded from them (docs/backup.md). */
  rowsRefold(): StateRowsRefold {
    const prefix = consentStream('');
    return foldingRefold({
      matches: (streamId) => streamId.startsWith(prefix),
      decider: consentDecider,
      codec: this.codec,
      save: (tx, { streamId, version, state, at }) => this.states.saveMany(tx, [{ contactId: streamId.slice(prefix.length), version, state, at }]),
    });
  }
}
