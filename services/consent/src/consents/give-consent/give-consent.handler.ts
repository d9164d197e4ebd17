import { Injectable } from '@nestjs/common';
import type { EventMetadata } from '@crm/eventstore';
import { ConsentCommands } from '../consent-commands.service.js';
import type { ConsentChannel, Evidence, PurposeConsent } from '../consent.decider.js';

export interface ConsentAnswer {
  contactId: string;
  version: number;
  purpose: string;
  consent: PurposeConsent;
}

export interface GiveConsentInput {
  purpose: string;
  noticeVersion: string;
  channel: ConsentChannel;
  evidence: Evidence;
}

/** Records consent given for a purpose; answers the consent now in force (without the evidence: it is in the history). */
@Injectable()
export class GiveConsentHandler {
  constructor(private readonly commands: ConsentCommands) {}

  async execute(contactId: string, input: GiveConsentInput, metadata: EventMetadata): Promise<ConsentAnswer> {
    const outcome = await this.commands.execute({ type: 'GiveConsent', contactId, ...input, actorId: metadata.actor.id }, metadata);
    return { contactId, version: outcome.version, purpose: input.purpose, consent: outcome.state.consents[input.purpose]! };
  }
}
