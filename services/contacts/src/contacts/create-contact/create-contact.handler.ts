import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@crm/eventstore';
import type { ContactData } from '../../contact-schema/index.js';
import { ContactViews, type ContactView } from '../../contact-views/contact-views.service.js';
import { ContactCommands } from '../contact-commands.service.js';
import type { PurposeContext } from '../contact.http.js';

/** Creates a contact under a new id, and shows it minimised to the purpose it was created for. */
@Injectable()
export class CreateContactHandler {
  constructor(
    private readonly commands: ContactCommands,
    private readonly views: ContactViews,
  ) {}

  async execute(data: ContactData, context: PurposeContext): Promise<ContactView> {
    const contactId = uuidv7();
    const { version, state, at } = await this.commands.execute({ type: 'CreateContact', contactId, data }, context);
    return this.views.created(contactId, { version, data: state.data, at }, context);
  }
}
