import { Injectable } from '@nestjs/common';
import { ContactViews, type ContactPage } from '../../contact-views/contact-views.service.js';
import { decideSearch, ensureAllowed } from '../../processing/purpose-access.decision.js';
import type { PurposeContext } from '../contact.http.js';

export interface ContactSearch {
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  limit: number;
  after?: string | undefined;
}

/**
 * Exact search over blind indexes (every criterion given must match), or, for a bulk purpose only (marketing,
 * analytics), a listing without criteria; paged by id.
 */
@Injectable()
export class SearchContactsHandler {
  constructor(private readonly views: ContactViews) {}

  execute({ email, phone, name, limit, after }: ContactSearch, context: PurposeContext): Promise<ContactPage> {
    const criteria = {
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
      ...(name === undefined ? {} : { nameTokens: [name] }),
    };
    ensureAllowed(decideSearch(context.purpose, Object.keys(criteria).length), context.purpose);
    return this.views.search(criteria, limit, after, context);
  }
}
