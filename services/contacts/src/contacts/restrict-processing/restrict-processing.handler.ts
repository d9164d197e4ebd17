import { Injectable } from '@nestjs/common';
import type { ProcessingContext } from '../../processing/processing-context.js';
import { ContactCommands, type CommandOutcome } from '../contact-commands.service.js';
import type { RestrictionReason } from '../contact.decider.js';

export interface RestrictionStatus {
  restricted: boolean;
  version: number;
}

export const restrictionStatus = (outcome: CommandOutcome): RestrictionStatus => ({ restricted: outcome.state.restricted, version: Number(outcome.version) });

/** Restriction of processing (Art. 18): the contact stays stored but becomes read-only and leaves every export. */
@Injectable()
export class RestrictProcessingHandler {
  constructor(private readonly commands: ContactCommands) {}

  async execute(contactId: string, reason: RestrictionReason, context: ProcessingContext): Promise<RestrictionStatus> {
    return restrictionStatus(await this.commands.execute({ type: 'RestrictProcessing', contactId, reason }, context));
  }
}
