import { Inject, Injectable } from '@nestjs/common';
import type { CommandPipeline } from '@crm/eventstore';
import { COMMAND_PIPELINE } from '@crm/platform';
import type { PoolClient } from '@crm/postgres';
import type { ContactData } from '../contact-schema/index.js';
import { eventMetadata, type ProcessingContext } from '../processing/processing-context.js';
import { contactNotFound } from '../read-model/contact.projection.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';
import type { ContactCommand, ContactState } from './contact.decider.js';
import { ContactWriteModel } from './contact.write-model.js';

export interface CommandOutcome {
  version: bigint;
  state: ContactState;
  /** The time the decision was stored with (the contact's `updated_at`). */
  at: Date;
}

/** Contact commands through the service's one write path (see ContactWriteModel for how state is loaded). */
@Injectable()
export class ContactCommands {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    private readonly model: ContactWriteModel,
  ) {}

  /** `expectedVersion` is the client's `If-Match`: a contact at another version refuses the command (409). */
  async execute(command: ContactCommand, context: ProcessingContext, expectedVersion?: bigint): Promise<CommandOutcome> {
    if (!ContactsRepository.isContactId(command.contactId)) throw contactNotFound();
    const outcome = await this.pipeline.execute(this.model, command, eventMetadata(context), expectedVersion === undefined ? {} : { expectedVersion });
    return { version: outcome.version, state: outcome.state, at: outcome.at };
  }

  /**
   * Creates a bulk import's batch of new contacts in one transaction: all of them or none. `within` writes in that
   * same transaction (the import's row ledger), so it is stored exactly when the contacts are.
   */
  async createMany(
    contacts: ReadonlyArray<{ contactId: string; data: ContactData }>,
    context: ProcessingContext,
    within?: (tx: PoolClient) => Promise<void>,
  ): Promise<void> {
    // The model's prepare step creates the batch's keys in one key-vault transaction; sealing then finds them cached.
    const commands = contacts.map(({ contactId, data }): ContactCommand => ({ type: 'CreateContact', contactId, data }));
    await this.pipeline.executeAll(this.model, commands, eventMetadata(context), within === undefined ? undefined : (tx) => within(tx));
  }
}
