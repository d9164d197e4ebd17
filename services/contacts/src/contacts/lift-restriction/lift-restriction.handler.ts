import { Injectable } from '@nestjs/common';
import type { ProcessingContext } from '../../processing/processing-context.js';
import { ContactCommands } from '../contact-commands.service.js';
import { restrictionStatus, type RestrictionStatus } from '../restrict-processing/restrict-processing.handler.js';

/** Lifts a restriction of processing: the contact can be changed and exported again. */
@Injectable()
export class LiftRestrictionHandler {
  constructor(private readonly commands: ContactCommands) {}

  async execute(contactId: string, context: ProcessingContext): Promise<RestrictionStatus> {
    return restrictionStatus(await this.commands.execute({ type: 'LiftRestriction', contactId }, context));
  }
}
