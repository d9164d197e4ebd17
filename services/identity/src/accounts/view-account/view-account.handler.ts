import { Injectable } from '@nestjs/common';
import { AccountViews, type AccountView } from '../account.views.js';

/** One staff account, by id (an administrator's lookup, or one's own account by the token's subject). */
@Injectable()
export class ViewAccountHandler {
  constructor(private readonly views: AccountViews) {}

  execute(userId: string): Promise<AccountView> {
    return this.views.byId(userId);
  }
}
