import { Injectable } from '@nestjs/common';
import type { EventMetadata } from '@crm/eventstore';
import { ConsentCommands } from '../consent-commands.service.js';
import type { ConsentChannel, Objection } from '../consent.decider.js';

export interface ObjectionAnswer {
  contactId: string;
  version: number;
  purpose: string;
  objection: Objection;
}

/** Records an objection (Art. 21) to processing for a purpose that may rest on legitimate interests. */
@Injectable()
export class RecordObjectionHandler {
  constructor(private readonly commands: ConsentCommands) {}

  async execute(contactId: string, purpose: string, channel: ConsentChannel | undefined, metadata: EventMetadata): Promise<ObjectionAnswer> {
    const command = { type: 'RecordObjection' as const, contactId, purpose, ...(channel === undefined ? {} : { channel }), actorId: metadata.actor.id };
    const outcome = await this.commands.execute(command, metadata);
    return { contactId, version: outcome.version, purpose, objection: outcome.state.objections[purpose]! };
  }
}
