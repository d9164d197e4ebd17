import { Injectable } from '@nestjs/common';
import { ContactViews, type ContactView } from '../../contact-views/contact-views.service.js';
import type { PurposeContext } from '../contact.http.js';

/** One contact, minimised to the stated purpose; showing it is recorded as processing. */
@Injectable()
export class ViewContactHandler {
  constructor(private readonly views: ContactViews) {}

  execute(contactId: string, context: PurposeContext): Promise<ContactView> {
    return this.views.view(contactId, context);
  }
}
