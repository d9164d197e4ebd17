import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, SealedFieldSchema } from '@crm/contracts';
import { sealedFieldFromProto, type FieldCipher } from '@crm/crypto';
import { AppError } from '@crm/http';
import { FIELD_CIPHER } from '@crm/platform';
import { ACCOUNT_EMAIL_FIELD, ACCOUNT_NAME_FIELD } from './account.codec.js';
import { AccountsRepository, type AccountRow } from './accounts.repository.js';

/** A staff account as the API shows it: e-mail and name opened from the row's sealed fields, no credential. */
export interface AccountView {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  mfaEnrolled: boolean;
  /** Disabled by an administrator: cannot sign in or refresh. */
  disabled: boolean;
  createdAt: string;
}

/** Account rows as `AccountView`s, for every use case that answers with an account. */
@Injectable()
export class AccountViews {
  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  async byId(userId: string): Promise<AccountView> {
    const account = await this.accounts.byId(userId);
    if (account === undefined) throw new AppError('USER_NOT_FOUND', 'not_found', 'no such user');
    return this.of(account);
  }

  async of(row: AccountRow): Promise<AccountView> {
    const open = (bytes: Buffer, field: string) => this.cipher.openText(row.user_id, field, sealedFieldFromProto(fromBinary(SealedFieldSchema, bytes)));
    return {
      id: row.user_id,
      email: await open(row.email_sealed, ACCOUNT_EMAIL_FIELD),
      displayName: await open(row.name_sealed, ACCOUNT_NAME_FIELD),
      roles: row.roles,
      mfaEnrolled: row.mfa_enrolled,
      disabled: row.disabled_at !== null,
      createdAt: row.created_at.toISOString(),
    };
  }
}
