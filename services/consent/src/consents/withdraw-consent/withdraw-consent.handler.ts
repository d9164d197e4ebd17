import { Injectable } from '@nestjs/common';
import type { EventMetadata } from '@crm/eventstore';
import { ConsentCommands } from '../consent-commands.service.js';
import type { ConsentChannel } from '../consent.decider.js';
import type { ConsentAnswer } from '../give-consent/give-consent.handler.js';

/** Withdraws the consent in force for a purpose (Art. 7(3): as easy as giving it). */
@Injectable()
export class WithdrawConsentHandler {
  constructor(private readonly commands: ConsentCommands) {}

  async execute(contactId: string, purpose: string, channel: ConsentChannel | undefined, metadata: EventMetadata): Promise<ConsentAnswer> {
    const command = { type: 'WithdrawConsent' as const, contactId, purpose, ...(channel === undefined ? {} : { channel }), actorId: metadata.actor.id };
    const outcome = await this.commands.execute(command, metadata);
    return { contactId, version: outcome.version, purpose, consent: outcome.state.consents[purpose]! };
  }
}
