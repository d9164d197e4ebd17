import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@crm/eventstore';
import type { TransactionData } from '../../contact-schema/index.js';
import type { ProcessingContext } from '../../processing/processing-context.js';
import { ContactCommands } from '../contact-commands.service.js';

export interface RecordedPurchase {
  id: string;
  version: number;
}

/** Records a purchase or refund; without an id from the client it gets a new one (with one, a retry is refused as a duplicate). */
@Injectable()
export class AddPurchaseHandler {
  constructor(private readonly commands: ContactCommands) {}

  async execute(contactId: string, purchase: TransactionData, transactionId: string | undefined, context: ProcessingContext): Promise<RecordedPurchase> {
    const id = transactionId ?? uuidv7();
    const outcome = await this.commands.execute({ type: 'AddTransaction', contactId, transactionId: id, ...purchase }, context);
    return { id, version: Number(outcome.version) };
  }
}
