import { Injectable } from '@nestjs/common';
import type { ContactPatch } from '../../contact-schema/index.js';
import { ContactViews, type ContactView } from '../../contact-views/contact-views.service.js';
import { ContactCommands } from '../contact-commands.service.js';
import type { PurposeContext } from '../contact.http.js';

/** Rectification (Art. 16), answered with the contact as it is now. */
@Injectable()
export class RectifyContactHandler {
  constructor(
    private readonly commands: ContactCommands,
    private readonly views: ContactViews,
  ) {}

  /** `expectedVersion` is the client's If-Match: a contact at another version refuses the change (409). */
  async execute(contactId: string, patch: ContactPatch, context: PurposeContext, expectedVersion: bigint | undefined): Promise<ContactView> {
    await this.commands.execute({ type: 'RectifyContact', contactId, patch }, context, expectedVersion);
    return this.views.view(contactId, context);
  }
}
