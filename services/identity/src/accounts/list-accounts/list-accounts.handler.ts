import { Injectable } from '@nestjs/common';
import { AccountViews, type AccountView } from '../account.views.js';
import { AccountsRepository } from '../accounts.repository.js';

/** Staff accounts in id order, a page at a time (`after` is the last id of the previous page). */
@Injectable()
export class ListAccountsHandler {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly views: AccountViews,
  ) {}

  async execute(limit: number, after: string | undefined): Promise<AccountView[]> {
    return Promise.all((await this.accounts.list(limit, after)).map((row) => this.views.of(row)));
  }
}
