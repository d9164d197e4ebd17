import { Inject, Injectable } from '@nestjs/common';
import { isCryptoError } from '@crm/crypto';
import type { CommandPipeline, EventMetadata } from '@crm/eventstore';
import { CLOCK, COMMAND_PIPELINE, type Clock } from '@crm/platform';
import { KnownContacts } from '../known-contacts/known-contacts.repository.js';
import type { ConsentCommand, ConsentState } from './consent.decider.js';
import { consentError } from './consent.errors.js';
import { isContactId } from './consent.streams.js';
import { ConsentWriteModel } from './consent.write-model.js';

export interface ConsentOutcome {
  contactId: string;
  version: number;
  state: ConsentState;
}

type Unstamped<C> = C extends ConsentCommand ? Omit<C, 'at'> : never;
/** A command without its time: the service's clock stamps it here, once, for the decision and its events. */
export type UnstampedCommand = Unstamped<ConsentCommand>;

/** Consent commands through the service's one write path (see ConsentWriteModel for how state is loaded). */
@Injectable()
export class ConsentCommands {
  constructor(
    @Inject(COMMAND_PIPELINE) private readonly pipeline: CommandPipeline,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly model: ConsentWriteModel,
    private readonly known: KnownContacts,
  ) {}

  async execute(command: UnstampedCommand, metadata: EventMetadata): Promise<ConsentOutcome> {
    assertContactId(command.contactId);
    // Before the pipeline: a contact that does not exist gets no event, no state row and no key.
    if (!(await this.known.has(command.contactId))) {
      throw consentError('CONSENT_CONTACT_UNKNOWN', 'no contact with this id is known (a contact created a moment ago is known within seconds)');
    }
    const stamped = { ...command, at: this.clock().toISOString() } as ConsentCommand;
    try {
      const outcome = await this.pipeline.execute(this.model, stamped, metadata);
      return { contactId: command.contactId, version: Number(outcome.version), state: outcome.state };
    } catch (error) {
      if (isCryptoError(error, 'KEY_SHREDDED')) throw consentError('CONSENT_CONTACT_ERASED', 'this contact has been erased', { cause: error });
      throw error;
    }
  }
}

export function assertContactId(contactId: string): void {
  if (!isContactId(contactId)) throw consentError('CONSENT_CONTACT_ID_INVALID', 'a contact id is a UUID');
}
