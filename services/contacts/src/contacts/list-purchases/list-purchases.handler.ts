import { Injectable } from '@nestjs/common';
import { ContactViews, type TransactionPage } from '../../contact-views/contact-views.service.js';
import type { PurposeContext } from '../contact.http.js';

/** A contact's purchases, newest first, minimised to the purpose; `before` is the cursor of the previous page. */
@Injectable()
export class ListPurchasesHandler {
  constructor(private readonly views: ContactViews) {}

  execute(contactId: string, page: { limit: number; before?: string | undefined }, context: PurposeContext): Promise<TransactionPage> {
    return this.views.transactions(contactId, page.limit, page.before, context);
  }
}
